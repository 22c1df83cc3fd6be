-- depends: 0002.callbacks_by_time
-- The issuer is its wallets' token vault: it finds an account by a keyed hash of the phone's
-- device account number too, never the number.
ALTER TABLE sim_accounts ADD COLUMN token_hash char(64) UNIQUE;
