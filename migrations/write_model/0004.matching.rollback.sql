DROP INDEX payments_unmatched;
DROP INDEX receipt_card_payments_unmatched;
DROP TABLE ambiguities;
ALTER TABLE payments DROP COLUMN document;
ALTER TABLE receipts DROP COLUMN document;
ALTER TABLE payments DROP COLUMN receipt_id;
ALTER TABLE receipt_card_payments DROP COLUMN matched_at, DROP COLUMN match_rule, DROP COLUMN payment_id;
