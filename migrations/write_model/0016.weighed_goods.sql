-- depends: 0015.lines_without_price
-- Weighed goods (SPEC §12): a line's quantity has up to 3 decimals (0.512 kg).
ALTER TABLE receipt_lines ALTER COLUMN quantity TYPE numeric(10, 3);
