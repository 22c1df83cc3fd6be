ALTER TABLE payment_views DROP COLUMN projected_at;
ALTER TABLE receipt_views DROP COLUMN projected_at;
