DROP TABLE payments;
DROP TABLE receipt_card_payments;
DROP TABLE receipt_lines;
DROP TABLE receipts;
