-- Receipts whose slips showed less than the first 6 and last 4 digits cannot go back.
DROP INDEX payments_open_rrn;
CREATE INDEX payments_open_rrn
    ON payments (masked_pan, terminal_id, rrn) WHERE status IN ('unmatched', 'ambiguous');
DROP INDEX receipt_card_payments_by_reference;
DROP INDEX receipt_card_payments_by_card;
CREATE INDEX receipt_card_payments_by_rrn ON receipt_card_payments (masked_pan, rrn);
DROP INDEX payments_open_keys;
CREATE INDEX payments_open_keys
    ON payments (masked_pan, auth_code, currency, amount, transaction_date) WHERE status IN ('unmatched', 'ambiguous');
DROP INDEX receipt_card_payments_unmatched;
CREATE INDEX receipt_card_payments_unmatched
    ON receipt_card_payments (masked_pan, auth_code, currency, amount, transaction_date) WHERE payment_id IS NULL;
ALTER TABLE payments DROP COLUMN pan_bin, DROP COLUMN pan_last4;
ALTER TABLE receipt_card_payments
    DROP COLUMN pan_bin,
    DROP COLUMN pan_last4,
    DROP CONSTRAINT receipt_card_payments_card_data,
    DROP CONSTRAINT receipt_card_payments_masked_pan_check,
    ALTER COLUMN rrn SET NOT NULL,
    ALTER COLUMN terminal_id SET NOT NULL,
    ALTER COLUMN masked_pan SET NOT NULL,
    ADD CONSTRAINT receipt_card_payments_masked_pan_check CHECK (masked_pan ~ '^[0-9]{6}[*]+[0-9]{4}$');
