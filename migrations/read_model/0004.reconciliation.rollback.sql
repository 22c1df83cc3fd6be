DROP TABLE drift_repairs;
DROP TABLE callback_views;
DROP INDEX payment_views_by_date;
DROP INDEX receipt_views_issued_on;
ALTER TABLE payment_views DROP COLUMN match_rule, DROP COLUMN authorised_amount;
ALTER TABLE receipt_views DROP COLUMN refund_of;
