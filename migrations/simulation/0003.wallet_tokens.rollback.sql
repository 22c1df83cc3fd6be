ALTER TABLE sim_accounts DROP COLUMN token_hash;
