-- Merchants and banks: the two kinds of party that hold API keys.
-- Webhook secrets are never stored: they are derived from PLATFORM_SECRET, the party id
-- and webhook_secret_version (bump the version to rotate).
CREATE TABLE merchants (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    callback_url text NOT NULL,
    webhook_secret_version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE banks (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    callback_url text NOT NULL,
    webhook_secret_version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Only the SHA-256 of a key is kept; keys are 256-bit random tokens, so a fast hash is safe.
CREATE TABLE api_keys (
    key_hash char(64) PRIMARY KEY,
    party_kind text NOT NULL CHECK (party_kind IN ('merchant', 'bank')),
    party_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
