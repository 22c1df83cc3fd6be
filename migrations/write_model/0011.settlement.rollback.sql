DROP TABLE unlinked_pairs;
DROP INDEX ambiguities_by_set;
ALTER TABLE ambiguities DROP COLUMN set_id;
