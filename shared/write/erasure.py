"""Erasure of a cardholder account (SPEC §11, GDPR art. 17): a bank asks, and no store of
the platform keeps the account reference, nor anything it or the account's customer_id
could be recovered from.

The technique is rewriting, in one write-model transaction: every payment of the account
gets a tombstone instead of its account reference (`erased:<random uuid>`, the same for
the account's payments, so they still read as one account but no one can name it), a new
version and a random idempotency fingerprint (the old one, an HMAC over the body, would
confirm a guessed account); the outbox's events of those payments — the platform's event
log, replayed by `make replay` — are rewritten the same way; the callback log's bodies
lose the account reference (bank) and the customer_id (merchant). The payments' new
state goes out as `*.restated.v1` events, which the read model applies over whatever it
holds, and newer versions win over events still on their way, so the read model follows
within seconds. Amounts, masked card data and the link to the merchant's receipt stay
(the bank's financial records, the merchant's receipt).

Rewriting was chosen over crypto-shredding (account data encrypted under a per-account
key that erasure destroys) because the account reference is also a column the statement
is read by and callbacks are built from: every reader would have had to decrypt, and a
key store is one more thing to back up and erase from. What the platform already
published to RabbitMQ consumers is theirs to erase: `receipts.account.erased.v1` tells
them (it names the erasure and the bank, never the account).
"""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import Connection, text

from shared.domain.events import PAYMENT_RESTATED
from shared.platform.db import array_literal
from shared.write import outbox

_PAYMENTS = text("SELECT id FROM payments WHERE bank_id = :bank_id AND account_ref = :account_ref FOR UPDATE")

_ERASE_PAYMENTS = text(
    outbox.recording_sql(
        """
    changed AS (
        UPDATE payments p SET account_ref = :tombstone, fingerprint = md5(random()::text) || md5(random()::text),
            version = p.version + 1,
            document = p.document || jsonb_build_object('account_ref', CAST(:tombstone AS text), 'version', p.version + 1)
        WHERE p.id = ANY(CAST(:ids AS uuid[]))
        RETURNING p.id, p.document
    )
    """
    )
)

# The event log: every event about those payments that carries the account.
_ERASE_EVENTS = text(
    """
    UPDATE outbox SET data = jsonb_set(data, '{account_ref}', to_jsonb(CAST(:tombstone AS text)))
    WHERE subject = ANY(CAST(:ids AS uuid[])) AND data ? 'account_ref'
    """
)

# The callback log: the bank's bodies name the account, the merchant's its customer_id.
_ERASE_CALLBACKS = text(
    """
    UPDATE callbacks SET body = CAST(jsonb_set(jsonb_set(CAST(body AS jsonb),
            '{data,account_ref}', to_jsonb(CAST(:tombstone AS text)), false),
            '{data,customer_id}', to_jsonb(CAST(:tombstone AS text)), false) AS text)
    WHERE payment_id = ANY(CAST(:ids AS uuid[]))
    """
)


class Erasures:
    """Erasing accounts, on the unit of work's connection."""

    def __init__(self, connection: Connection, recorded: outbox.Recorded):
        self.connection = connection
        self._recorded = recorded

    def erase(self, bank_id: uuid.UUID, account_ref: str) -> int:
        """Erase the bank's account_ref everywhere in the write model, recording the payments'
        new states; how many payments the account had (none: the platform never held it)."""
        ids = self.connection.execute(_PAYMENTS, {"bank_id": bank_id, "account_ref": account_ref}).scalars().all()
        if ids:
            params = {"ids": array_literal(ids), "tombstone": f"erased:{uuid.UUID(bytes=secrets.token_bytes(16))}"}
            self._recorded.written_with(
                outbox.recorded_events(
                    self.connection.execute(_ERASE_PAYMENTS, {**params, "type": PAYMENT_RESTATED}).all()
                )
            )
            self.connection.execute(_ERASE_EVENTS, params)
            self.connection.execute(_ERASE_CALLBACKS, params)
        return len(ids)
