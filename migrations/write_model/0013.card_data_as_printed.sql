-- depends: 0012.callback_leases
-- Card data as slips print it (SPEC §12): the first 6 and last 4 digits, the last 4 only,
-- or no digits but the acquirer's reference (RRN and terminal id). The database still
-- refuses a full card number. Matching keys on the last 4 digits, which both sides carry
-- whenever the slip shows any; the BIN is compared where the slip shows it.
ALTER TABLE receipt_card_payments
    DROP CONSTRAINT receipt_card_payments_masked_pan_check,
    ALTER COLUMN masked_pan DROP NOT NULL,
    ALTER COLUMN terminal_id DROP NOT NULL,
    ALTER COLUMN rrn DROP NOT NULL,
    ADD CONSTRAINT receipt_card_payments_masked_pan_check CHECK (masked_pan ~ '^([0-9]{6})?[*]+[0-9]{4}$'),
    ADD CONSTRAINT receipt_card_payments_card_data CHECK (masked_pan IS NOT NULL OR (rrn IS NOT NULL AND terminal_id IS NOT NULL)),
    ADD COLUMN pan_last4 text GENERATED ALWAYS AS (right(masked_pan, 4)) STORED,
    ADD COLUMN pan_bin text GENERATED ALWAYS AS (substring(masked_pan FROM '^[0-9]{6}')) STORED;
ALTER TABLE payments
    ADD COLUMN pan_last4 text GENERATED ALWAYS AS (right(masked_pan, 4)) STORED,
    ADD COLUMN pan_bin text GENERATED ALWAYS AS (substring(masked_pan FROM '^[0-9]{6}')) STORED;

-- The exact rule's key, on the open side of each table: last 4 digits, auth code, currency,
-- amount and date (the BIN, and for a last-4 slip its RRN and terminal, are compared on the pairs).
DROP INDEX receipt_card_payments_unmatched;
CREATE INDEX receipt_card_payments_unmatched
    ON receipt_card_payments (pan_last4, auth_code, currency, amount, transaction_date) WHERE payment_id IS NULL;
DROP INDEX payments_open_keys;
CREATE INDEX payments_open_keys
    ON payments (pan_last4, auth_code, currency, amount, transaction_date) WHERE status IN ('unmatched', 'ambiguous');
-- The issuer's look-up reads open and matched lines: by their last 4 digits and date.
DROP INDEX receipt_card_payments_by_rrn;
CREATE INDEX receipt_card_payments_by_card ON receipt_card_payments (pan_last4, transaction_date);
-- Slips with no card digits, by the acquirer's reference (matching and the look-up).
CREATE INDEX receipt_card_payments_by_reference ON receipt_card_payments (rrn, terminal_id) WHERE masked_pan IS NULL;
DROP INDEX payments_open_rrn;
CREATE INDEX payments_open_rrn ON payments (rrn, terminal_id) WHERE status IN ('unmatched', 'ambiguous');
