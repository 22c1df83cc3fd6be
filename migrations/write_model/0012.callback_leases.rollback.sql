ALTER TABLE callbacks DROP COLUMN leased_until;
