-- depends: 0008.drift_days
-- Webhook endpoints (SPEC §10): a rotated secret keeps signing beside the new one for a
-- grace period from webhook_secret_rotated_at; an endpoint that answered 410 is disabled
-- (endpoint_gone_at) until its callback_url is changed; a receiver's Retry-After holds a
-- callback's next attempt back (next_attempt_at).
ALTER TABLE merchants ADD COLUMN webhook_secret_rotated_at timestamptz, ADD COLUMN endpoint_gone_at timestamptz;
ALTER TABLE banks ADD COLUMN webhook_secret_rotated_at timestamptz, ADD COLUMN endpoint_gone_at timestamptz;
ALTER TABLE callbacks ADD COLUMN next_attempt_at timestamptz;
