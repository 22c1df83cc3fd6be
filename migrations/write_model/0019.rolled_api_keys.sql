-- depends: 0018.voids_and_reversals
-- A party holds several keys at once, so that one is rolled without downtime: each has its
-- own id, what of it may be shown (its prefix and last 4 characters; a key issued before
-- the platform kept them shows none), an expiry, and when it was last used, to the minute.
ALTER TABLE api_keys
    ADD COLUMN key_id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    ADD COLUMN shown text,
    ADD COLUMN expires_at timestamptz,
    ADD COLUMN last_used_at timestamptz;
CREATE INDEX api_keys_by_party ON api_keys (party_id, created_at);
