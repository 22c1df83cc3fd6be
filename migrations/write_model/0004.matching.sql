-- depends: 0003.outbox
-- Matching (SPEC §5). A card-payment line records the payment it was matched to and the
-- rule that matched them; UNIQUE (payment_id) means a payment is claimed once, and a
-- line is claimed by a conditional update (payment_id IS NULL), so two matchers can
-- never double-claim. `document` keeps each aggregate's state as its events carry it.
ALTER TABLE receipt_card_payments
    ADD COLUMN payment_id uuid UNIQUE REFERENCES payments (id),
    ADD COLUMN match_rule text,
    ADD COLUMN matched_at timestamptz;

ALTER TABLE payments ADD COLUMN receipt_id uuid REFERENCES receipts (id);

ALTER TABLE receipts ADD COLUMN document jsonb;
ALTER TABLE payments ADD COLUMN document jsonb;
UPDATE receipts r SET document = o.data
    FROM outbox o WHERE o.subject = r.id AND o.type = 'receipts.receipt.submitted.v1';
UPDATE payments p SET document = o.data
    FROM outbox o WHERE o.subject = p.id AND o.type = 'receipts.payment.submitted.v1';

-- When more than one candidate fits, none is matched: the items are recorded here.
CREATE TABLE ambiguities (
    item_kind text NOT NULL CHECK (item_kind IN ('receipt', 'payment')),
    item_id uuid NOT NULL,
    rule text NOT NULL,
    candidates integer NOT NULL,
    detected_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (item_kind, item_id, rule)
);

-- The exact rule's keys, on the unmatched side of each table only.
CREATE INDEX receipt_card_payments_unmatched
    ON receipt_card_payments (masked_pan, auth_code, currency, amount, transaction_date)
    WHERE payment_id IS NULL;
CREATE INDEX payments_unmatched
    ON payments (masked_pan, auth_code, currency, amount, transaction_date)
    WHERE status = 'unmatched';
