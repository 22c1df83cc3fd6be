-- depends: 0006.reconciliation
-- A bank is also called back when a clearing unlinks its payment from a receipt.
ALTER TABLE callbacks
    ADD COLUMN kind text NOT NULL DEFAULT 'receipt.matched' CHECK (kind IN ('receipt.matched', 'receipt.unlinked'));
ALTER TABLE callbacks DROP CONSTRAINT callbacks_once,
    ADD CONSTRAINT callbacks_once UNIQUE (payment_id, receipt_id, party_kind, kind);
