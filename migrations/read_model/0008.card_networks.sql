-- depends: 0007.warnings
-- Payments as the card networks carry them (SPEC §14): what established a match's card,
-- and how the card paid (a wallet's token, cashback, the cardholder's billing currency).
ALTER TABLE payment_views
    ADD COLUMN card_key text,
    ADD COLUMN token jsonb,
    ADD COLUMN cashback_amount bigint,
    ADD COLUMN billing_amount bigint,
    ADD COLUMN billing_currency text;
