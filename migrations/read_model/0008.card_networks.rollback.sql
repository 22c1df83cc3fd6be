ALTER TABLE payment_views
    DROP COLUMN card_key, DROP COLUMN token, DROP COLUMN cashback_amount, DROP COLUMN billing_amount,
    DROP COLUMN billing_currency;
