DROP TABLE unlinked_matches;
DROP INDEX payment_views_ambiguous;
DROP INDEX receipt_views_ambiguous;
ALTER TABLE payment_views DROP COLUMN ambiguity;
ALTER TABLE receipt_views DROP COLUMN ambiguity;
