-- depends: 0006.receipts_that_count
-- Receipts that count, as tills print them (SPEC §12): every receipt view says its kind
-- (a refund names what it refunds, or says so), and a merchant lists the receipts its
-- till's documents were taken with warnings.
UPDATE receipt_views SET extras = extras || jsonb_build_object('kind', CASE WHEN refund_of IS NULL THEN 'sale' ELSE 'refund' END)
WHERE NOT extras ? 'kind';
CREATE INDEX receipt_views_with_warnings ON receipt_views (merchant_id, submitted_at DESC, id DESC)
    WHERE extras ? 'warnings';
