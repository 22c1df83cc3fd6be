DROP TABLE payment_reversals;
ALTER TABLE callbacks DROP CONSTRAINT callbacks_kind_check,
    ADD CONSTRAINT callbacks_kind_check CHECK (kind IN ('receipt.matched', 'receipt.unlinked'));
ALTER TABLE payments DROP CONSTRAINT payments_status_check,
    ADD CONSTRAINT payments_status_check CHECK (status IN ('unmatched', 'matched', 'ambiguous', 'expired'));
ALTER TABLE receipts DROP CONSTRAINT receipts_status_check,
    ADD CONSTRAINT receipts_status_check CHECK (status IN ('unmatched', 'matched', 'ambiguous', 'expired'));
