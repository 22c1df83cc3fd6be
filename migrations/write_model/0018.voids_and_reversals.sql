-- depends: 0017.wallets_and_conversion
-- Voids and reversals (SPEC §14): a receipt voided at the till and a payment its issuer
-- reversed are never matched again. A reversal is applied once per reversal_id, the
-- issuer's id of its 0400/0420 message.
ALTER TABLE receipts DROP CONSTRAINT receipts_status_check,
    ADD CONSTRAINT receipts_status_check CHECK (status IN ('unmatched', 'matched', 'ambiguous', 'expired', 'voided'));
ALTER TABLE payments DROP CONSTRAINT payments_status_check,
    ADD CONSTRAINT payments_status_check CHECK (status IN ('unmatched', 'matched', 'ambiguous', 'expired', 'reversed'));
ALTER TABLE callbacks DROP CONSTRAINT callbacks_kind_check,
    ADD CONSTRAINT callbacks_kind_check CHECK (kind IN ('receipt.matched', 'receipt.unlinked', 'receipt.voided'));
CREATE TABLE payment_reversals (
    payment_id uuid NOT NULL REFERENCES payments (id),
    reversal_id text NOT NULL,
    amount bigint NOT NULL,
    reversed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (payment_id, reversal_id)
);
