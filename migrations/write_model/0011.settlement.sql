-- depends: 0010.lookup
-- Settling what matching would not decide (SPEC §11). Look-alike items found together
-- form an ambiguity set (set_id: a hash of the rule and what they share), which the
-- operator settles by matching one pair; an operator's unlink is remembered per pair, so
-- matching never links that pair again by itself.
ALTER TABLE ambiguities ADD COLUMN set_id uuid;
UPDATE ambiguities SET set_id = md5(rule || '|' || item_kind || '|' || item_id)::uuid;
ALTER TABLE ambiguities ALTER COLUMN set_id SET NOT NULL;
CREATE INDEX ambiguities_by_set ON ambiguities (set_id);

CREATE TABLE unlinked_pairs (
    payment_id uuid NOT NULL REFERENCES payments (id),
    receipt_id uuid NOT NULL REFERENCES receipts (id),
    unlinked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (payment_id, receipt_id)
);
