-- depends: 0007.callback_kinds
-- Drift repair reads only the recent days: by a receipt's printed date, a payment's date.
CREATE INDEX receipts_issued_on ON receipts ((left(document->>'issued_at', 10)));
CREATE INDEX payments_by_date ON payments (transaction_date);
