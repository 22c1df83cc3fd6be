ALTER TABLE callbacks DROP COLUMN next_attempt_at;
ALTER TABLE banks DROP COLUMN webhook_secret_rotated_at, DROP COLUMN endpoint_gone_at;
ALTER TABLE merchants DROP COLUMN webhook_secret_rotated_at, DROP COLUMN endpoint_gone_at;
