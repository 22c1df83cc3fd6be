ALTER TABLE receipt_views DROP COLUMN extras;
ALTER TABLE party_views DROP COLUMN version, DROP COLUMN identity;
