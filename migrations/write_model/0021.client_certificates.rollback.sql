ALTER TABLE banks DROP COLUMN client_cert_subject;
