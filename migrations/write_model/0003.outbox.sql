-- depends: 0002.receipts_and_payments
-- Transactional outbox: every state change writes its event here in the same transaction.
-- The publisher (and the scheduled relay) send unpublished rows in position order.
CREATE TABLE outbox (
    position bigserial PRIMARY KEY,
    id uuid NOT NULL UNIQUE,
    type text NOT NULL,
    subject uuid NOT NULL,
    data jsonb NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);

CREATE INDEX outbox_unpublished ON outbox (position) WHERE published_at IS NULL;
