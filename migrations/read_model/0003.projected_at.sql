-- depends: 0002.views
-- When the projector last wrote each row: projected_at - submitted_at is the projection lag.
ALTER TABLE receipt_views ADD COLUMN projected_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE payment_views ADD COLUMN projected_at timestamptz NOT NULL DEFAULT now();
