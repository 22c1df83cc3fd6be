-- depends: 0001.processed_events
-- Projections shaped for the read API, fed only by events. Every row carries the version
-- of its aggregate, so an older event never overwrites a newer state.
CREATE TABLE party_views (
    id uuid PRIMARY KEY,
    kind text NOT NULL,
    name text NOT NULL
);

CREATE TABLE receipt_views (
    id uuid PRIMARY KEY,
    merchant_id uuid NOT NULL,
    merchant_receipt_id text NOT NULL,
    status text NOT NULL,
    issued_at text NOT NULL,  -- as the merchant printed it, with its offset
    currency char(3) NOT NULL,
    totals jsonb NOT NULL,
    lines jsonb NOT NULL,
    payments jsonb NOT NULL,  -- card-payment lines, masked PAN only
    bank_ids uuid[] NOT NULL DEFAULT '{}',  -- banks whose payments it was matched to
    submitted_at timestamptz NOT NULL,
    version integer NOT NULL
);

-- GET /v1/receipts (newest first, by merchant, optionally by status)
CREATE INDEX receipt_views_by_merchant ON receipt_views (merchant_id, submitted_at DESC, id DESC);
CREATE INDEX receipt_views_by_merchant_status ON receipt_views (merchant_id, status, submitted_at DESC, id DESC);

CREATE TABLE payment_views (
    id uuid PRIMARY KEY,
    bank_id uuid NOT NULL,
    bank_payment_id text NOT NULL,
    account_ref text NOT NULL,
    masked_pan text NOT NULL,
    auth_code text NOT NULL,
    amount bigint NOT NULL,
    currency char(3) NOT NULL,
    transaction_date date NOT NULL,
    transaction_time time NOT NULL,
    merchant_name text NOT NULL,
    terminal_id text NOT NULL,
    rrn text NOT NULL,
    kind text NOT NULL,
    status text NOT NULL,
    receipt_id uuid,
    submitted_at timestamptz NOT NULL,
    version integer NOT NULL
);

-- GET /v1/accounts/{account_ref}/payments (a bank's statement, newest transaction first)
CREATE INDEX payment_views_statement
    ON payment_views (bank_id, account_ref, transaction_date DESC, transaction_time DESC, id DESC);
