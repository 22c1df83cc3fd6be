-- The simulated parties' own database (not the platform's): what a merchant POS and an
-- issuing bank would keep on their side. Cardholders' PANs are not stored: the simulated
-- issuer derives each demo account's card number from its account reference.
CREATE TABLE sim_parties (
    kind text PRIMARY KEY CHECK (kind IN ('merchant', 'bank')),
    party_id uuid NOT NULL,
    api_key text NOT NULL,
    webhook_secret text NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT now()
);

-- The issuer finds an account by a keyed hash of the card number, never the number.
CREATE TABLE sim_accounts (
    account_ref text PRIMARY KEY,
    pan_hash char(64) NOT NULL UNIQUE,
    balance bigint NOT NULL,
    currency char(3) NOT NULL
);

-- Every callback the simulated receivers took, once per event id (they dedupe on it).
CREATE TABLE sim_callbacks (
    event_id uuid PRIMARY KEY,
    party_kind text NOT NULL,
    receipt_id uuid,
    payment_id uuid,
    account_ref text,
    body jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sim_callbacks_by_account ON sim_callbacks (account_ref, received_at DESC);
