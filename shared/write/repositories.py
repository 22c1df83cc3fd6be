"""Write-model repositories: the SQL of parties, receipts and payments, on the unit of
work's connection. (Matches, callbacks, erasures and reconciliation runs have theirs in
matching.py, callbacks.py, erasure.py and reconciliation.py.)"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, text

from shared.domain.events import PAYMENT_CLEARED, Event
from shared.domain.parties import Actor, Party
from shared.domain.payments import PaymentSubmission
from shared.domain.receipts import ReceiptSubmission
from shared.platform.db import array_literal
from shared.write import outbox


@dataclass(frozen=True)
class Stored:
    """What an idempotent replay needs of an earlier submission."""

    id: uuid.UUID
    fingerprint: str
    status: str
    warnings: Sequence[dict[str, Any]] = ()  # a receipt's: what its till's document was taken with


_PARTY_TABLES = {"merchant": "merchants", "bank": "banks"}
_PARTY_STATE = (
    "id, name, callback_url, webhook_secret_version, endpoint_gone_at IS NOT NULL AS endpoint_disabled,"
    " identity, version"
)


class AuditTrail:
    """The record of privileged actions (SPEC §15), appended to in the action's own
    transaction wherever the action is the write model's."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def record(self, actor: Actor, action: str, object_kind: str, object_id: uuid.UUID | str) -> None:
        self.connection.execute(
            text(
                "INSERT INTO audit_entries (actor_party_id, actor_key_id, action, object_kind, object_id, request_id)"
                " VALUES (:party_id, :key_id, :action, :object_kind, :object_id, :request_id)"
            ),
            {
                "party_id": actor.party.id if actor.party else None,
                "key_id": actor.party.key_id if actor.party else None,
                "action": action,
                "object_kind": object_kind,
                "object_id": str(object_id),
                "request_id": actor.request_id,
            },
        )


class Parties:
    def __init__(self, connection: Connection):
        self.connection = connection

    def add(
        self,
        party: Party,
        name: str,
        callback_url: str,
        key_hash: str,
        shown: str,
        identity: dict[str, Any] | None = None,
    ) -> bool:
        """Insert the party with its key (and a merchant's identity); False if its id was taken."""
        table = _PARTY_TABLES[party.kind]  # a fixed identifier, never input
        inserted = self.connection.execute(
            text(
                f"""
                WITH party AS (
                    INSERT INTO {table} (id, name, callback_url, identity)
                    VALUES (:id, :name, :callback_url, CAST(:identity AS jsonb))
                    ON CONFLICT (id) DO NOTHING
                    RETURNING id
                )
                INSERT INTO api_keys (key_hash, party_kind, party_id, shown)
                SELECT :key_hash, :kind, id, :shown FROM party
                RETURNING party_id
                """
            ),
            {
                "id": party.id,
                "name": name,
                "callback_url": callback_url,
                "key_hash": key_hash,
                "shown": shown,
                "kind": party.kind,
                "identity": json.dumps(identity or {}),
            },
        ).first()
        return inserted is not None

    def rotate_webhook_secret(self, party: Party) -> Row[Any] | None:
        """Move the party to its next webhook secret (the previous one signs on through the
        grace period); its new state, or None if there is no such party."""
        return self._update(
            party, "webhook_secret_version = webhook_secret_version + 1, webhook_secret_rotated_at = now()", {}
        )

    def change(self, party: Party, callback_url: str | None, identity: dict[str, Any]) -> Row[Any] | None:
        """Point the party's callbacks at callback_url (re-enabling an endpoint that answered
        410) if given, and merge the parts of its identity given."""
        return self._update(
            party,
            "callback_url = coalesce(CAST(:callback_url AS text), callback_url),"
            " endpoint_gone_at = CASE WHEN CAST(:callback_url AS text) IS NULL"
            " THEN endpoint_gone_at END, identity = identity || CAST(:identity AS jsonb)",
            {"callback_url": callback_url, "identity": json.dumps(identity)},
        )

    def disable_endpoint(self, party: Party) -> Row[Any] | None:
        """The party's endpoint answered 410: no callback goes to it until its URL changes."""
        return self._update(party, "endpoint_gone_at = coalesce(endpoint_gone_at, now())", {})

    def _update(self, party: Party, assignments: str, params: dict[str, Any]) -> Row[Any] | None:
        table = _PARTY_TABLES[party.kind]  # a fixed identifier, never input
        return self.connection.execute(
            text(f"UPDATE {table} SET {assignments}, version = version + 1 WHERE id = :id RETURNING {_PARTY_STATE}"),
            {"id": party.id, **params},
        ).one_or_none()

    def country(self, merchant: Party) -> str | None:
        """The country of the merchant's address, if it gave one."""
        return self.connection.execute(
            text("SELECT identity->'address'->>'country' FROM merchants WHERE id = :id"), {"id": merchant.id}
        ).scalar()

    def bind_certificate(self, bank: Party, subject: str | None) -> None:
        """From now on the bank's keys work only with a client certificate of this subject (None: any)."""
        self.connection.execute(
            text("UPDATE banks SET client_cert_subject = :subject WHERE id = :id"), {"id": bank.id, "subject": subject}
        )

    def certificate_subject(self, bank: Party) -> str | None:
        return self.connection.execute(
            text("SELECT client_cert_subject FROM banks WHERE id = :id"), {"id": bank.id}
        ).scalar()

    def by_key_hash(self, key_hash: str) -> Row[Any] | None:
        """The key's party (party_kind, party_id), its key_id and expires_at, and the client
        certificate subject a bank is bound to; None if no key has this hash."""
        return self.connection.execute(
            text(
                "SELECT k.party_kind, k.party_id, k.key_id, k.expires_at, b.client_cert_subject FROM api_keys k"
                " LEFT JOIN banks b ON k.party_kind = 'bank' AND b.id = k.party_id WHERE k.key_hash = :key_hash"
            ),
            {"key_hash": key_hash},
        ).first()

    def note_uses(self, key_hashes: list[str]) -> None:
        """The keys were used this minute. Rows a deletion holds are skipped (the key is going),
        and the rest are locked in key_id order, as a deletion locks them: the two never wait
        for each other in a cycle."""
        self.connection.execute(
            text(
                "UPDATE api_keys SET last_used_at = date_trunc('minute', now()) WHERE key_id IN ("
                " SELECT key_id FROM api_keys WHERE key_hash = ANY(CAST(:hashes AS char(64)[]))"
                " AND (last_used_at IS NULL OR last_used_at < date_trunc('minute', now()))"
                " ORDER BY key_id FOR NO KEY UPDATE SKIP LOCKED)"
            ),
            {"hashes": array_literal(key_hashes)},
        )

    def add_key(self, party: Party, key_hash: str, shown: str, expires_in_hours: int | None) -> Row[Any] | None:
        """Another key for the party (key_id, created_at, expires_at); None if there is no such party."""
        table = _PARTY_TABLES[party.kind]  # a fixed identifier, never input
        return self.connection.execute(
            text(
                f"INSERT INTO api_keys (key_hash, party_kind, party_id, shown, expires_at)"
                f" SELECT :key_hash, :kind, id, :shown, now() + make_interval(hours => :hours)"
                f" FROM {table} WHERE id = :id"
                " RETURNING key_id, created_at, expires_at"
            ),
            {"key_hash": key_hash, "kind": party.kind, "id": party.id, "shown": shown, "hours": expires_in_hours},
        ).first()

    def keys(self, party: Party) -> list[Row[Any]] | None:
        """The party's keys, oldest first (never their hashes); None if there is no such party."""
        table = _PARTY_TABLES[party.kind]  # a fixed identifier, never input
        if self.connection.execute(text(f"SELECT 1 FROM {table} WHERE id = :id"), {"id": party.id}).first() is None:
            return None
        return list(
            self.connection.execute(
                text(
                    "SELECT key_id, shown, created_at, expires_at, last_used_at FROM api_keys"
                    " WHERE party_id = :id AND party_kind = :kind ORDER BY created_at, key_id"
                ),
                {"id": party.id, "kind": party.kind},
            ).all()
        )

    def delete_key(self, party: Party, key_id: uuid.UUID) -> str:
        """Delete one of the party's keys unless it is its last live one: "deleted", "last"
        or "unknown". The party's keys are locked, so two deletions never leave it none."""
        live = (
            self.connection.execute(
                text(
                    "SELECT key_id FROM api_keys WHERE party_id = :id AND party_kind = :kind"
                    " AND (expires_at IS NULL OR expires_at > now()) ORDER BY key_id FOR UPDATE"
                ),
                {"id": party.id, "kind": party.kind},
            )
            .scalars()
            .all()
        )
        if key_id in live and len(live) == 1:
            return "last"
        deleted = self.connection.execute(
            text("DELETE FROM api_keys WHERE key_id = :key_id AND party_id = :id AND party_kind = :kind"),
            {"key_id": key_id, "id": party.id, "kind": party.kind},
        )
        return "deleted" if deleted.rowcount else "unknown"


class Receipts:
    def __init__(self, connection: Connection, recorded: outbox.Recorded):
        self.connection = connection
        self._recorded = recorded

    _INSERT = text(
        outbox.recording_one_sql(
            """
        receipt AS (
            INSERT INTO receipts (id, merchant_id, merchant_receipt_id, fingerprint, issued_at,
                                  utc_offset_seconds, currency, subtotal, tax, tip, total, refund_of, document)
            VALUES (:id, :merchant_id, :merchant_receipt_id, :fingerprint, :issued_at,
                    :utc_offset_seconds, :currency, :subtotal, :tax, :tip, :total, :refund_of,
                    CAST(:event_data AS jsonb))
            ON CONFLICT (merchant_id, merchant_receipt_id) DO NOTHING
            RETURNING id
        ), item_lines AS (
            INSERT INTO receipt_lines (receipt_id, line_no, description, sku, quantity, unit_price, amount)
            SELECT receipt.id, l.line_no, l.description, l.sku, l.quantity, l.unit_price, l.amount
            FROM receipt, jsonb_to_recordset(CAST(:lines AS jsonb)) AS l(
                line_no int, description text, sku text, quantity numeric, unit_price bigint, amount bigint)
        ), card_lines AS (
            INSERT INTO receipt_card_payments (receipt_id, line_no, masked_pan, auth_code, amount,
                currency, transaction_date, transaction_time, terminal_id, rrn, scheme, kind,
                par, dcc_currency, dcc_amount)
            SELECT receipt.id, p.line_no, p.masked_pan, p.auth_code, p.amount, p.currency,
                   p.transaction_date, p.transaction_time, p.terminal_id, p.rrn, p.scheme, :kind,
                   p.par, p.dcc->>'currency', CAST(p.dcc->>'amount' AS bigint)
            FROM receipt, jsonb_to_recordset(CAST(:payments AS jsonb)) AS p(
                line_no int, masked_pan text, auth_code text, amount bigint, currency text,
                transaction_date date, transaction_time time, terminal_id text, rrn text, scheme text,
                par text, dcc jsonb)
        )
        """,
            made="receipt",
        )
    )

    def add(
        self,
        receipt_id: uuid.UUID,
        merchant_id: uuid.UUID,
        fingerprint: str,
        receipt: ReceiptSubmission,
        submitted: Event,
    ) -> bool:
        """Insert the receipt with its lines and record its submitted event, in one
        statement; False if its id was taken (and nothing was written).

        submitted.data is the receipt as its events carry it, kept as its document for the
        events that follow."""
        totals = receipt.totals
        offset = receipt.issued_at.utcoffset()
        assert offset is not None  # issued_at is an AwareDatetime
        inserted = self.connection.execute(
            self._INSERT,
            {
                "id": receipt_id,
                "merchant_id": merchant_id,
                "merchant_receipt_id": receipt.merchant_receipt_id,
                "fingerprint": fingerprint,
                "issued_at": receipt.issued_at,
                "utc_offset_seconds": int(offset.total_seconds()),
                "currency": receipt.currency,
                "subtotal": totals.subtotal,
                "tax": totals.tax,
                "tip": totals.tip,
                "total": totals.total,
                "refund_of": receipt.refund_of,
                "kind": "refund" if receipt.is_refund else "purchase",
                "lines": _numbered(line.model_dump(mode="json") for line in receipt.lines),
                "payments": _numbered(line.model_dump(mode="json") for line in receipt.card_lines),
                **outbox.event_params(submitted),
            },
        ).first()
        if inserted is not None:
            self._recorded.written_with([submitted])
        return inserted is not None

    def owned(self, merchant_id: uuid.UUID, receipt_id: uuid.UUID) -> bool:
        return (
            self.connection.execute(
                text("SELECT 1 FROM receipts WHERE id = :id AND merchant_id = :merchant_id"),
                {"id": receipt_id, "merchant_id": merchant_id},
            ).first()
            is not None
        )

    def to_void(self, merchant_id: uuid.UUID, receipt_id: uuid.UUID) -> Row[Any] | None:
        """The merchant's receipt (id, merchant_receipt_id, status), locked; None if it has none such.
        The payments it is matched to are locked first, as a reversal, a clearing or an
        unlink locks a payment before its receipt: the two never wait for each other in a cycle."""
        self.connection.execute(
            text(
                "SELECT p.id FROM payments p JOIN receipt_card_payments l ON l.payment_id = p.id"
                " WHERE l.receipt_id = :id ORDER BY p.id FOR UPDATE OF p"
            ),
            {"id": receipt_id},
        )
        return self.connection.execute(
            text(
                "SELECT id, merchant_receipt_id, status FROM receipts"
                " WHERE id = :id AND merchant_id = :merchant_id FOR UPDATE"
            ),
            {"id": receipt_id, "merchant_id": merchant_id},
        ).one_or_none()

    def named(self, merchant_id: uuid.UUID, reference: str) -> uuid.UUID | None:
        """The merchant's receipt a till's document names: by its platform id or its own id."""
        try:
            by_id = uuid.UUID(reference)
        except ValueError:
            by_id = None
        return self.connection.execute(
            text(
                "SELECT id FROM receipts WHERE merchant_id = :merchant_id"
                " AND (id = :id OR merchant_receipt_id = :reference) ORDER BY id = :id DESC LIMIT 1"
            ),
            {"merchant_id": merchant_id, "id": by_id, "reference": reference},
        ).scalar()

    def stored(self, merchant_id: uuid.UUID, merchant_receipt_id: str) -> Stored:
        row = self.connection.execute(
            text(
                "SELECT id, fingerprint, status, document->'warnings' AS warnings FROM receipts"
                " WHERE merchant_id = :merchant_id AND merchant_receipt_id = :merchant_receipt_id"
            ),
            {"merchant_id": merchant_id, "merchant_receipt_id": merchant_receipt_id},
        ).one()
        return Stored(row.id, row.fingerprint, row.status, row.warnings or [])


class Payments:
    def __init__(self, connection: Connection, recorded: outbox.Recorded):
        self.connection = connection
        self._recorded = recorded

    _INSERT = text(
        outbox.recording_one_sql(
            """
        payment AS (
        INSERT INTO payments (id, bank_id, bank_payment_id, fingerprint, account_ref, masked_pan,
            auth_code, amount, currency, transaction_date, transaction_time, merchant_name,
            terminal_id, rrn, kind, token_masked_pan, par, document)
        VALUES (:id, :bank_id, :bank_payment_id, :fingerprint, :account_ref, :masked_pan,
            :auth_code, :amount, :currency, :transaction_date, :transaction_time, :merchant_name,
            :terminal_id, :rrn, :kind, :token_masked_pan, :par, CAST(:event_data AS jsonb))
        ON CONFLICT (bank_id, bank_payment_id) DO NOTHING
        RETURNING id
        )
        """,
            made="payment",
        )
    )

    def add(
        self,
        payment_id: uuid.UUID,
        bank_id: uuid.UUID,
        fingerprint: str,
        masked_pan: str,
        payment: PaymentSubmission,
        submitted: Event,
    ) -> bool:
        """Insert the payment under its masked PAN and record its submitted event, in one
        statement; False if its id was taken (and nothing was written).

        submitted.data is the payment as its events carry it (masked PAN only), kept as its
        document."""
        # The columns; the document is submitted.data.
        fields = payment.model_dump(exclude={"pan", *payment.later_fields})
        fields["par"] = payment.par
        fields["token_masked_pan"] = payment.token.masked()["masked_pan"] if payment.token else None
        inserted = self.connection.execute(
            self._INSERT,
            {
                **fields,
                "id": payment_id,
                "bank_id": bank_id,
                "fingerprint": fingerprint,
                "masked_pan": masked_pan,
                **outbox.event_params(submitted),
            },
        ).first()
        if inserted is not None:
            self._recorded.written_with([submitted])
        return inserted is not None

    def stored(self, bank_id: uuid.UUID, bank_payment_id: str) -> Stored:
        row = self.connection.execute(
            text(
                "SELECT id, fingerprint, status FROM payments"
                " WHERE bank_id = :bank_id AND bank_payment_id = :bank_payment_id"
            ),
            {"bank_id": bank_id, "bank_payment_id": bank_payment_id},
        ).one()
        return Stored(row.id, row.fingerprint, row.status)

    _LOCKED = text(
        """
        SELECT p.id, p.amount, p.authorised_amount, p.currency, p.status, p.receipt_id, p.bank_payment_id,
               l.charged_amount AS line_amount, l.match_rule
        FROM payments p LEFT JOIN receipt_card_payments l ON l.payment_id = p.id
        WHERE p.bank_id = :bank_id AND p.bank_payment_id = :bank_payment_id
        FOR UPDATE OF p
        """
    )

    _CLEAR = text(
        outbox.recording_sql(
            """
        changed AS (
            UPDATE payments p
            SET authorised_amount = coalesce(p.authorised_amount, p.amount), amount = :amount, status = :status,
                receipt_id = CAST(:receipt_id AS uuid), version = p.version + 1,
                document = p.document || jsonb_build_object(
                    'amount', CAST(:amount AS bigint), 'authorised_amount', coalesce(p.authorised_amount, p.amount),
                    'status', CAST(:status AS text),
                    'receipt_id', CAST(:receipt_id AS uuid), 'match_rule', CAST(:match_rule AS text),
                    'card_key', CASE WHEN CAST(:match_rule AS text) IS NOT NULL THEN p.document->'card_key' END,
                    'version', p.version + 1)
            WHERE p.id = :id
            RETURNING p.id, p.document
        )
        """
        )
    )

    def locked(self, bank_id: uuid.UUID, bank_payment_id: str) -> Row[Any] | None:
        """The bank's payment with its matched line's charged amount and rule, locked, for a
        clearing or a reversal to change; None if there is none."""
        return self.connection.execute(
            self._LOCKED, {"bank_id": bank_id, "bank_payment_id": bank_payment_id}
        ).one_or_none()

    def clear(
        self,
        payment_id: uuid.UUID,
        amount: int,
        status: str,
        receipt_id: uuid.UUID | None,
        match_rule: str | None,
        event_type: str = PAYMENT_CLEARED,
    ) -> None:
        """Give the payment its new amount (the authorised one is kept) and the status and
        match it has with it, recording its event (cleared, or reversed in part)."""
        self._recorded.written_with(
            outbox.recorded_events(
                self.connection.execute(
                    self._CLEAR,
                    {
                        "id": payment_id,
                        "amount": amount,
                        "status": status,
                        "receipt_id": receipt_id,
                        "match_rule": match_rule,
                        "type": event_type,
                    },
                ).all()
            )
        )

    def id_of(self, bank_id: uuid.UUID, bank_payment_id: str) -> uuid.UUID | None:
        return self.connection.execute(
            text("SELECT id FROM payments WHERE bank_id = :bank_id AND bank_payment_id = :bank_payment_id"),
            {"bank_id": bank_id, "bank_payment_id": bank_payment_id},
        ).scalar()

    def reversal(self, payment_id: uuid.UUID, reversal_id: str) -> int | None:
        """The amount a reversal of the payment took off it, if it was applied."""
        return self.connection.execute(
            text("SELECT amount FROM payment_reversals WHERE payment_id = :payment_id AND reversal_id = :reversal_id"),
            {"payment_id": payment_id, "reversal_id": reversal_id},
        ).scalar()

    def record_reversal(self, payment_id: uuid.UUID, reversal_id: str, amount: int) -> None:
        self.connection.execute(
            text(
                "INSERT INTO payment_reversals (payment_id, reversal_id, amount) VALUES (:payment_id, :reversal_id, :amount)"
            ),
            {"payment_id": payment_id, "reversal_id": reversal_id, "amount": amount},
        )


def _numbered(items: Iterable[dict[str, Any]]) -> str:
    return json.dumps([{"line_no": number, **item} for number, item in enumerate(items, start=1)])
