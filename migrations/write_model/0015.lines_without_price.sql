-- depends: 0014.merchant_identity
-- A till may list an item without its price (ARTS DR lets a line carry only its id and
-- quantity); the receipt's totals then stand for the lines (SPEC §12).
ALTER TABLE receipt_lines ALTER COLUMN unit_price DROP NOT NULL, ALTER COLUMN amount DROP NOT NULL;
