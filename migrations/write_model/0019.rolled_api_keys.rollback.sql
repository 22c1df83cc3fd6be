DROP INDEX api_keys_by_party;
ALTER TABLE api_keys DROP COLUMN key_id, DROP COLUMN shown, DROP COLUMN expires_at, DROP COLUMN last_used_at;
