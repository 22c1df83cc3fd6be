-- depends: 0005.settlement
-- Receipts that count (SPEC §12): the merchant's identity, as its events carry it, and a
-- receipt's fields beyond the SPEC §4 shape (prices_include_vat, store, …), as its do.
ALTER TABLE party_views ADD COLUMN identity jsonb NOT NULL DEFAULT '{}', ADD COLUMN version integer NOT NULL DEFAULT 0;
ALTER TABLE receipt_views ADD COLUMN extras jsonb NOT NULL DEFAULT '{}';
