DROP TABLE payment_views;
DROP TABLE receipt_views;
DROP TABLE party_views;
