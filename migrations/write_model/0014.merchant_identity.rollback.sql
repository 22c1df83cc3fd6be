ALTER TABLE banks DROP COLUMN version, DROP COLUMN identity;
ALTER TABLE merchants DROP COLUMN version, DROP COLUMN identity;
