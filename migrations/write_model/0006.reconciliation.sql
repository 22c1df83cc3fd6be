-- depends: 0005.callbacks
-- Reconciliation: refunds, clearing, ambiguous and expired items, re-links.

-- A refund receipt names the receipt it refunds; its card lines match refund payments.
ALTER TABLE receipts ADD COLUMN refund_of uuid REFERENCES receipts (id);
ALTER TABLE receipt_card_payments
    ADD COLUMN kind text NOT NULL DEFAULT 'purchase' CHECK (kind IN ('purchase', 'refund'));
-- Some slips print no auth code (offline and some contactless payments).
ALTER TABLE receipt_card_payments ALTER COLUMN auth_code DROP NOT NULL;

-- Ambiguous items wait for an operator; expired ones stopped waiting. Neither is matched.
ALTER TABLE receipts DROP CONSTRAINT receipts_status_check,
    ADD CONSTRAINT receipts_status_check CHECK (status IN ('unmatched', 'matched', 'ambiguous', 'expired'));
ALTER TABLE payments DROP CONSTRAINT payments_status_check,
    ADD CONSTRAINT payments_status_check CHECK (status IN ('unmatched', 'matched', 'ambiguous', 'expired'));

-- Clearing: the final amount replaces the authorised one, which is kept.
ALTER TABLE payments ADD COLUMN authorised_amount bigint;

-- A payment re-linked to another receipt (after clearing) calls both parties back again.
ALTER TABLE callbacks DROP CONSTRAINT callbacks_payment_id_party_kind_key,
    ADD CONSTRAINT callbacks_once UNIQUE (payment_id, receipt_id, party_kind);

CREATE INDEX receipts_open ON receipts (created_at) WHERE status = 'unmatched';
CREATE INDEX payments_open ON payments (created_at) WHERE status = 'unmatched';

-- Ambiguous items still compete for what would match them (never claimed, they block
-- guesses), so the payments' matching indexes cover them.
DROP INDEX payments_unmatched;
CREATE INDEX payments_open_keys
    ON payments (masked_pan, auth_code, currency, amount, transaction_date) WHERE status IN ('unmatched', 'ambiguous');
CREATE INDEX payments_open_rrn
    ON payments (masked_pan, terminal_id, rrn) WHERE status IN ('unmatched', 'ambiguous');

-- Drift repair asks whether an item's latest events are still on their way.
CREATE INDEX outbox_subject ON outbox (subject);
