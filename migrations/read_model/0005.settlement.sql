-- depends: 0004.reconciliation
-- Ambiguity sets for the operator (GET /v1/admin/ambiguities, the dashboard): an
-- ambiguous item's set, rule and since when, as its events carry them.
ALTER TABLE receipt_views ADD COLUMN ambiguity jsonb;
ALTER TABLE payment_views ADD COLUMN ambiguity jsonb;
CREATE INDEX receipt_views_ambiguous ON receipt_views ((ambiguity->>'set')) WHERE status = 'ambiguous';
CREATE INDEX payment_views_ambiguous ON payment_views ((ambiguity->>'set')) WHERE status = 'ambiguous';

-- Matches the operator unlinked, counted by the report on the payment's day.
CREATE TABLE unlinked_matches (
    unlink_id uuid PRIMARY KEY,
    payment_id uuid NOT NULL,
    receipt_id uuid NOT NULL,
    bank_id uuid NOT NULL,
    merchant_id uuid NOT NULL,
    transaction_date date NOT NULL,
    unlinked_at timestamptz NOT NULL
);
CREATE INDEX unlinked_matches_by_date ON unlinked_matches (transaction_date);
