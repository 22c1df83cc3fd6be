-- depends: 0019.rolled_api_keys
-- Every privileged action, once: who (the operator, or a party's key), what, on which
-- object, when, in which request. Never a secret, a card number or an account reference.
-- Append-only: the table refuses UPDATE, DELETE and TRUNCATE, whoever asks.
CREATE TABLE audit_entries (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    at timestamptz NOT NULL DEFAULT now(),
    actor_party_id uuid,  -- NULL: the operator
    actor_key_id uuid,
    action text NOT NULL,
    object_kind text NOT NULL,
    object_id text NOT NULL,
    request_id text
);
CREATE INDEX audit_entries_newest ON audit_entries (at DESC, id DESC);
CREATE INDEX audit_entries_by_object ON audit_entries (object_id, at DESC, id DESC);

CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP;
END
$$;
CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();
