-- depends: 0016.weighed_goods
-- Payments as the card networks carry them (SPEC §14). A wallet pays with a token whose
-- digits the slip prints instead of the card's; the account's PAR is shared by its card
-- and every token. A card line converted at the till (DCC) charged the card in another
-- currency: matching compares what the card was charged, kept beside the line's own amount.
ALTER TABLE payments
    ADD COLUMN token_masked_pan text CHECK (token_masked_pan ~ '^[0-9]{6}[*]+[0-9]{4}$'),
    ADD COLUMN par text,
    ADD COLUMN token_last4 text GENERATED ALWAYS AS (right(token_masked_pan, 4)) STORED,
    ADD COLUMN token_bin text GENERATED ALWAYS AS (substring(token_masked_pan FROM '^[0-9]{6}')) STORED;
ALTER TABLE receipt_card_payments
    ADD COLUMN par text,
    ADD COLUMN dcc_currency char(3),
    ADD COLUMN dcc_amount bigint,
    ADD CONSTRAINT receipt_card_payments_dcc CHECK ((dcc_currency IS NULL) = (dcc_amount IS NULL)),
    ADD COLUMN charged_currency char(3) GENERATED ALWAYS AS (coalesce(dcc_currency, currency)) STORED,
    ADD COLUMN charged_amount bigint GENERATED ALWAYS AS (coalesce(dcc_amount, amount)) STORED,
    ADD COLUMN card_key text;

-- Rows whose documents carry these fields get them as columns too, which matching reads.
UPDATE payments SET token_masked_pan = document->'token'->>'masked_pan', par = document->>'par'
    WHERE document ? 'token' OR document ? 'par';
UPDATE receipt_card_payments l
    SET par = c.tender->>'par', dcc_currency = c.tender->'dcc'->>'currency',
        dcc_amount = CAST(c.tender->'dcc'->>'amount' AS bigint)
    FROM (
        SELECT r.id, row_number() OVER (PARTITION BY r.id ORDER BY t.n) AS line_no, t.tender
        FROM receipts r, jsonb_array_elements(r.document->'payments') WITH ORDINALITY AS t (tender, n)
        WHERE NOT t.tender ? 'type'
    ) AS c
    WHERE l.receipt_id = c.id AND l.line_no = c.line_no AND (c.tender ? 'par' OR c.tender ? 'dcc');
-- A match by rule with no card key recorded established the card by its digits, or by the
-- acquirer's reference where the slip printed none (the operator's matches name no key).
UPDATE receipt_card_payments SET card_key = CASE WHEN masked_pan IS NULL THEN 'reference' ELSE 'pan' END
    WHERE payment_id IS NOT NULL AND match_rule <> 'manual';
UPDATE payments p SET document = p.document || jsonb_build_object('card_key', l.card_key)
    FROM receipt_card_payments l WHERE l.payment_id = p.id AND l.card_key IS NOT NULL;

-- The open lines by what the card was charged; a PAR, or a wallet's token, is looked up the
-- same way as the card's digits.
DROP INDEX receipt_card_payments_unmatched;
CREATE INDEX receipt_card_payments_unmatched ON receipt_card_payments
    (pan_last4, auth_code, charged_currency, charged_amount, transaction_date) WHERE payment_id IS NULL;
CREATE INDEX receipt_card_payments_open_par ON receipt_card_payments
    (par, auth_code, charged_currency, charged_amount, transaction_date) WHERE payment_id IS NULL AND par IS NOT NULL;
CREATE INDEX payments_open_tokens ON payments (token_last4, auth_code, currency, amount, transaction_date)
    WHERE status IN ('unmatched', 'ambiguous') AND token_last4 IS NOT NULL;
CREATE INDEX payments_open_par ON payments (par, auth_code, currency, amount, transaction_date)
    WHERE status IN ('unmatched', 'ambiguous') AND par IS NOT NULL;
-- The issuer's look-up: the tokens and PARs of a bank's payments of one card, and lines by PAR.
CREATE INDEX payments_wallet_cards ON payments (pan_last4, pan_bin, bank_id)
    WHERE token_last4 IS NOT NULL OR par IS NOT NULL;
CREATE INDEX receipt_card_payments_by_par ON receipt_card_payments (par, transaction_date) WHERE par IS NOT NULL;
