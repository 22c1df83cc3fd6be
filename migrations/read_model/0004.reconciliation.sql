-- depends: 0003.projected_at
-- Reconciliation: match rules, refunds, clearing, callbacks and reconcile runs.
ALTER TABLE receipt_views ADD COLUMN refund_of uuid;
ALTER TABLE payment_views ADD COLUMN match_rule text, ADD COLUMN authorised_amount bigint;

-- The receipt's local date (as printed), which the daily report groups by.
CREATE INDEX receipt_views_issued_on ON receipt_views ((left(issued_at, 10)));
CREATE INDEX payment_views_by_date ON payment_views (transaction_date);

-- Callbacks that finished: delivered, or failed after their retry window.
CREATE TABLE callback_views (
    id uuid PRIMARY KEY,
    payment_id uuid NOT NULL,
    party_kind text NOT NULL,
    party_id uuid NOT NULL,
    status text NOT NULL,
    attempts integer NOT NULL,
    last_error text,
    finished_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX callback_views_failed ON callback_views (payment_id) WHERE status = 'failed';

-- What each reconcile run repaired in the read model, per day of the items it repaired.
CREATE TABLE drift_repairs (
    run_id uuid NOT NULL,
    day date NOT NULL,
    items integer NOT NULL,
    repaired_at timestamptz NOT NULL,
    PRIMARY KEY (run_id, day)
);
