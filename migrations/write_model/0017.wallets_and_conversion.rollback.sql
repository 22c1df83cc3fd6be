DROP INDEX receipt_card_payments_by_par;
DROP INDEX payments_wallet_cards;
DROP INDEX payments_open_par;
DROP INDEX payments_open_tokens;
DROP INDEX receipt_card_payments_open_par;
DROP INDEX receipt_card_payments_unmatched;
CREATE INDEX receipt_card_payments_unmatched
    ON receipt_card_payments (pan_last4, auth_code, currency, amount, transaction_date) WHERE payment_id IS NULL;
ALTER TABLE receipt_card_payments
    DROP COLUMN card_key, DROP COLUMN charged_amount, DROP COLUMN charged_currency,
    DROP CONSTRAINT receipt_card_payments_dcc, DROP COLUMN dcc_amount, DROP COLUMN dcc_currency, DROP COLUMN par;
ALTER TABLE payments DROP COLUMN token_bin, DROP COLUMN token_last4, DROP COLUMN par, DROP COLUMN token_masked_pan;
