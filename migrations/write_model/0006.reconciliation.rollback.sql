DROP INDEX outbox_subject;
DROP INDEX payments_open_rrn;
DROP INDEX payments_open_keys;
CREATE INDEX payments_unmatched
    ON payments (masked_pan, auth_code, currency, amount, transaction_date) WHERE status = 'unmatched';
DROP INDEX payments_open;
DROP INDEX receipts_open;
ALTER TABLE callbacks DROP CONSTRAINT callbacks_once,
    ADD CONSTRAINT callbacks_payment_id_party_kind_key UNIQUE (payment_id, party_kind);
ALTER TABLE payments DROP COLUMN authorised_amount;
ALTER TABLE payments DROP CONSTRAINT payments_status_check,
    ADD CONSTRAINT payments_status_check CHECK (status IN ('unmatched', 'matched'));
ALTER TABLE receipts DROP CONSTRAINT receipts_status_check,
    ADD CONSTRAINT receipts_status_check CHECK (status IN ('unmatched', 'matched'));
ALTER TABLE receipt_card_payments ALTER COLUMN auth_code SET NOT NULL;
ALTER TABLE receipt_card_payments DROP COLUMN kind;
ALTER TABLE receipts DROP COLUMN refund_of;
