-- depends: 0009.webhook_endpoints
-- The issuer's look-up finds receipt lines by terminal and RRN when the slip's auth code
-- does not fit (the no_auth_code rule); the other rules use receipt_card_payments_unmatched.
CREATE INDEX receipt_card_payments_by_rrn ON receipt_card_payments (masked_pan, rrn);
