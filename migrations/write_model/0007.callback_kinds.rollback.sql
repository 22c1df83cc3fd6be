ALTER TABLE callbacks DROP CONSTRAINT callbacks_once,
    ADD CONSTRAINT callbacks_once UNIQUE (payment_id, receipt_id, party_kind);
ALTER TABLE callbacks DROP COLUMN kind;
