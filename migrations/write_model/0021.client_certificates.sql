-- depends: 0020.audit_trail
-- A bank may be bound to the subject of its client certificate (as RFC 2253 writes it):
-- its keys then work only on calls that come with that certificate.
ALTER TABLE banks ADD COLUMN client_cert_subject text;
