DROP INDEX payments_by_date;
DROP INDEX receipts_issued_on;
