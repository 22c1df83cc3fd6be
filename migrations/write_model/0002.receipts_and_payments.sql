-- depends: 0001.parties
-- The truth: receipts with their item lines and card-payment lines, and the banks' payments.
-- A CHECK on every masked PAN column means the database itself refuses a full PAN.
CREATE TABLE receipts (
    id uuid PRIMARY KEY,
    merchant_id uuid NOT NULL REFERENCES merchants (id),
    merchant_receipt_id text NOT NULL,
    fingerprint char(64) NOT NULL,
    issued_at timestamptz NOT NULL,
    utc_offset_seconds integer NOT NULL,
    currency char(3) NOT NULL,
    subtotal bigint NOT NULL,
    tax bigint NOT NULL,
    tip bigint NOT NULL,
    total bigint NOT NULL,
    status text NOT NULL DEFAULT 'unmatched' CHECK (status IN ('unmatched', 'matched')),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (merchant_id, merchant_receipt_id)
);

CREATE TABLE receipt_lines (
    receipt_id uuid NOT NULL REFERENCES receipts (id),
    line_no integer NOT NULL,
    description text NOT NULL,
    sku text,
    quantity integer NOT NULL,
    unit_price bigint NOT NULL,
    amount bigint NOT NULL,
    PRIMARY KEY (receipt_id, line_no)
);

CREATE TABLE receipt_card_payments (
    receipt_id uuid NOT NULL REFERENCES receipts (id),
    line_no integer NOT NULL,
    masked_pan text NOT NULL CHECK (masked_pan ~ '^[0-9]{6}[*]+[0-9]{4}$'),
    auth_code text NOT NULL,
    amount bigint NOT NULL,
    currency char(3) NOT NULL,
    transaction_date date NOT NULL,
    transaction_time time NOT NULL,
    terminal_id text NOT NULL,
    rrn text NOT NULL,
    scheme text,
    PRIMARY KEY (receipt_id, line_no)
);

CREATE TABLE payments (
    id uuid PRIMARY KEY,
    bank_id uuid NOT NULL REFERENCES banks (id),
    bank_payment_id text NOT NULL,
    fingerprint char(64) NOT NULL,
    account_ref text NOT NULL,
    masked_pan text NOT NULL CHECK (masked_pan ~ '^[0-9]{6}[*]+[0-9]{4}$'),
    auth_code text NOT NULL,
    amount bigint NOT NULL,
    currency char(3) NOT NULL,
    transaction_date date NOT NULL,
    transaction_time time NOT NULL,
    merchant_name text NOT NULL,
    terminal_id text NOT NULL,
    rrn text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('purchase', 'refund')),
    status text NOT NULL DEFAULT 'unmatched' CHECK (status IN ('unmatched', 'matched')),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (bank_id, bank_payment_id)
);
