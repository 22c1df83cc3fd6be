-- Refused (NOT NULL fails) while a line without its price is stored: nothing is deleted to roll back.
ALTER TABLE receipt_lines ALTER COLUMN unit_price SET NOT NULL, ALTER COLUMN amount SET NOT NULL;
