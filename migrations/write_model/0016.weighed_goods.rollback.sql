ALTER TABLE receipt_lines ALTER COLUMN quantity TYPE integer USING ceil(quantity);
