-- depends: 0004.matching
-- The delivery log of callbacks (SPEC §6): one row per (payment, party), its id the event
-- id receivers dedupe on, its body the exact JSON that is signed and sent every attempt.
CREATE TABLE callbacks (
    id uuid PRIMARY KEY,
    payment_id uuid NOT NULL REFERENCES payments (id),
    receipt_id uuid NOT NULL REFERENCES receipts (id),
    party_kind text NOT NULL CHECK (party_kind IN ('merchant', 'bank')),
    party_id uuid NOT NULL,
    url text NOT NULL,
    body text NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    UNIQUE (payment_id, party_kind)
);

CREATE INDEX callbacks_failed ON callbacks (created_at) WHERE status = 'failed';
