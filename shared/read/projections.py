"""The read model's projector: each event applied exactly once, newer state never overwritten.

Events carry the whole state of their aggregate with its version (event-carried state),
so applying them is an upsert guarded by the version: redelivery and reordering leave the
read model as one in-order delivery would.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

from sqlalchemy import Connection, text

from shared.domain import events
from shared.domain.errors import PoisonEvent
from shared.domain.receipts import ReceiptSubmission
from shared.platform.db import array_literal

CONSUMER = "project-read-model"

_TRACK = text(
    "INSERT INTO processed_events (consumer, event_id) VALUES (:consumer, :event_id)"
    " ON CONFLICT DO NOTHING RETURNING event_id"
)

_TRACK_ALL = text(
    "INSERT INTO processed_events (consumer, event_id)"
    " SELECT :consumer, event_id FROM unnest(CAST(:event_ids AS uuid[])) AS event_id"
    " ON CONFLICT DO NOTHING RETURNING event_id"
)

_UPSERT_PARTY = text(
    """
    INSERT INTO party_views (id, kind, name, identity, version)
    VALUES (:id, :kind, :name, CAST(:identity AS jsonb), :version)
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, identity = EXCLUDED.identity, version = EXCLUDED.version
    WHERE party_views.version < EXCLUDED.version
    """
)

_UPSERT_RECEIPT = text(
    """
    INSERT INTO receipt_views (id, merchant_id, merchant_receipt_id, status, issued_at, currency,
                               totals, lines, payments, bank_ids, refund_of, submitted_at, version, ambiguity, extras)
    VALUES (:id, :merchant_id, :merchant_receipt_id, :status, :issued_at, :currency,
            CAST(:totals AS jsonb), CAST(:lines AS jsonb), CAST(:payments AS jsonb),
            CAST(:bank_ids AS uuid[]), :refund_of, :submitted_at, :version, CAST(:ambiguity AS jsonb),
            CAST(:extras AS jsonb))
    ON CONFLICT (id) DO UPDATE SET
        merchant_id = EXCLUDED.merchant_id, merchant_receipt_id = EXCLUDED.merchant_receipt_id,
        status = EXCLUDED.status, issued_at = EXCLUDED.issued_at, currency = EXCLUDED.currency,
        totals = EXCLUDED.totals, lines = EXCLUDED.lines, payments = EXCLUDED.payments,
        bank_ids = EXCLUDED.bank_ids, refund_of = EXCLUDED.refund_of, submitted_at = EXCLUDED.submitted_at,
        version = EXCLUDED.version, ambiguity = EXCLUDED.ambiguity, extras = EXCLUDED.extras, projected_at = now()
    WHERE receipt_views.version < EXCLUDED.version OR CAST(:restate AS boolean)
    """
)

_UPSERT_PAYMENT = text(
    """
    INSERT INTO payment_views (id, bank_id, bank_payment_id, account_ref, masked_pan, auth_code, amount,
        currency, transaction_date, transaction_time, merchant_name, terminal_id, rrn, kind, status,
        receipt_id, match_rule, authorised_amount, submitted_at, version, ambiguity)
    VALUES (:id, :bank_id, :bank_payment_id, :account_ref, :masked_pan, :auth_code, :amount,
        :currency, CAST(:transaction_date AS date), CAST(:transaction_time AS time), :merchant_name,
        :terminal_id, :rrn, :kind, :status, :receipt_id, :match_rule, :authorised_amount, :submitted_at, :version,
        CAST(:ambiguity AS jsonb))
    ON CONFLICT (id) DO UPDATE SET
        bank_id = EXCLUDED.bank_id, bank_payment_id = EXCLUDED.bank_payment_id,
        account_ref = EXCLUDED.account_ref, masked_pan = EXCLUDED.masked_pan, auth_code = EXCLUDED.auth_code,
        amount = EXCLUDED.amount, currency = EXCLUDED.currency, transaction_date = EXCLUDED.transaction_date,
        transaction_time = EXCLUDED.transaction_time, merchant_name = EXCLUDED.merchant_name,
        terminal_id = EXCLUDED.terminal_id, rrn = EXCLUDED.rrn, kind = EXCLUDED.kind, status = EXCLUDED.status,
        receipt_id = EXCLUDED.receipt_id, match_rule = EXCLUDED.match_rule,
        authorised_amount = EXCLUDED.authorised_amount, submitted_at = EXCLUDED.submitted_at,
        version = EXCLUDED.version, ambiguity = EXCLUDED.ambiguity, projected_at = now()
    WHERE payment_views.version < EXCLUDED.version OR CAST(:restate AS boolean)
    """
)

_UPSERT_CALLBACK = text(
    """
    INSERT INTO callback_views (id, payment_id, party_kind, party_id, status, attempts, last_error)
    VALUES (:callback_id, :payment_id, :party_kind, :party_id, :status, :attempts, :last_error)
    ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, attempts = EXCLUDED.attempts,
        last_error = EXCLUDED.last_error, finished_at = now()
    WHERE callback_views.attempts < EXCLUDED.attempts
    """
)

_INSERT_UNLINKED = text(
    """
    INSERT INTO unlinked_matches (unlink_id, payment_id, receipt_id, bank_id, merchant_id, transaction_date, unlinked_at)
    VALUES (:unlink_id, :payment_id, :receipt_id, :bank_id, :merchant_id, CAST(:transaction_date AS date), :unlinked_at)
    ON CONFLICT (unlink_id) DO NOTHING
    """
)

_INSERT_DRIFT_REPAIRS = text(
    """
    INSERT INTO drift_repairs (run_id, day, items, repaired_at)
    SELECT :run_id, CAST(day AS date), CAST(items AS integer), :finished_at
    FROM jsonb_each_text(CAST(:days AS jsonb)) AS repaired(day, items)
    ON CONFLICT DO NOTHING
    """
)


def _party(kind: str) -> Callable[[Connection, dict], None]:
    def apply(connection: Connection, data: dict) -> None:
        connection.execute(_UPSERT_PARTY, {"id": data["id"], "kind": kind, "name": data["name"],
                                           "identity": json.dumps(data.get("identity") or {}),
                                           # Events from before parties had versions changed neither.
                                           "version": data.get("version", 1)})

    return apply


def _receipt(connection: Connection, data: dict, restate: bool = False) -> None:
    connection.execute(
        _UPSERT_RECEIPT,
        {
            "id": data["id"],
            "merchant_id": data["merchant_id"],
            "merchant_receipt_id": data["merchant_receipt_id"],
            "status": data["status"],
            "issued_at": data["issued_at"],
            "currency": data["currency"],
            "totals": json.dumps(data["totals"]),
            "lines": json.dumps(data["lines"]),
            "payments": json.dumps(data["payments"]),
            "bank_ids": array_literal(data.get("bank_ids", [])),
            "refund_of": data.get("refund_of"),
            "submitted_at": data["submitted_at"],
            "version": data["version"],
            "ambiguity": _ambiguity(data),
            "extras": json.dumps({key: data[key] for key in ReceiptSubmission.later_fields if key in data}),
            "restate": restate,
        },
    )


def _ambiguity(data: dict) -> str | None:
    """An ambiguous item's set (its state keeps the last one after it moves on: not shown)."""
    return json.dumps(data["ambiguity"]) if data["status"] == "ambiguous" and data.get("ambiguity") else None


def _payment(connection: Connection, data: dict, restate: bool = False) -> None:
    connection.execute(
        _UPSERT_PAYMENT,
        {
            key: data[key]
            for key in (
                "id", "bank_id", "bank_payment_id", "account_ref", "masked_pan", "auth_code", "amount",
                "currency", "transaction_date", "transaction_time", "merchant_name", "terminal_id", "rrn",
                "kind", "status", "submitted_at", "version",
            )
        }
        | {key: data.get(key) for key in ("receipt_id", "match_rule", "authorised_amount")}
        | {"ambiguity": _ambiguity(data), "restate": restate},
    )


def _callback(connection: Connection, data: dict) -> None:
    connection.execute(_UPSERT_CALLBACK, {key: data[key] for key in (
        "callback_id", "payment_id", "party_kind", "party_id", "status", "attempts", "last_error")})


def _unlinked(connection: Connection, data: dict) -> None:
    connection.execute(_INSERT_UNLINKED, {key: data[key] for key in (
        "unlink_id", "payment_id", "receipt_id", "bank_id", "merchant_id", "transaction_date", "unlinked_at")})


def _drift_repaired(connection: Connection, data: dict) -> None:
    connection.execute(_INSERT_DRIFT_REPAIRS, {"run_id": data["run_id"], "finished_at": data["finished_at"],
                                               "days": json.dumps(data["drift_repaired"])})


APPLY: dict[str, Callable[[Connection, dict], None]] = {
    events.MERCHANT_REGISTERED: _party("merchant"),
    events.BANK_REGISTERED: _party("bank"),
    events.MERCHANT_UPDATED: _party("merchant"),
    events.BANK_UPDATED: _party("bank"),
    **dict.fromkeys((events.RECEIPT_SUBMITTED, events.RECEIPT_MATCHED, events.RECEIPT_AMBIGUOUS,
                     events.RECEIPT_EXPIRED, events.RECEIPT_UNMATCHED), _receipt),
    events.RECEIPT_RESTATED: lambda connection, data: _receipt(connection, data, restate=True),
    **dict.fromkeys((events.PAYMENT_SUBMITTED, events.PAYMENT_MATCHED, events.PAYMENT_AMBIGUOUS,
                     events.PAYMENT_EXPIRED, events.PAYMENT_CLEARED, events.PAYMENT_UNMATCHED), _payment),
    events.PAYMENT_RESTATED: lambda connection, data: _payment(connection, data, restate=True),
    events.CALLBACK_DELIVERED: _callback,
    events.CALLBACK_FAILED: _callback,
    events.MATCH_UNLINKED: _unlinked,
    events.RECONCILIATION_COMPLETED: _drift_repaired,
}


def project(connection: Connection, event: dict, consumer: str = CONSUMER) -> bool:
    """Apply one CloudEvent in the caller's transaction; False if it was applied before.

    Event types the read model does not show are tracked and otherwise ignored.
    """
    if connection.execute(_TRACK, {"consumer": consumer, "event_id": event["id"]}).first() is None:
        return False
    _apply(connection, event)
    return True


def project_all(connection: Connection, batch: list[dict], consumer: str = CONSUMER) -> int:
    """Apply a batch of CloudEvents in the caller's transaction, in order, claiming them all
    in one statement (one round trip, not one per event); how many were new."""
    claimed = {row.event_id for row in connection.execute(
        _TRACK_ALL, {"consumer": consumer, "event_ids": array_literal(uuid.UUID(event["id"]) for event in batch)})}
    applied = 0
    for event in batch:
        event_id = uuid.UUID(event["id"])
        if event_id in claimed:
            claimed.discard(event_id)  # the same event twice in a batch: applied once
            _apply(connection, event)
            applied += 1
    return applied


def _apply(connection: Connection, event: dict) -> None:
    apply = APPLY.get(event["type"])
    if apply is not None:
        try:
            apply(connection, event["data"])
        except (KeyError, TypeError) as error:
            raise PoisonEvent(f"{event['type']} {event['id']} lacks {error}") from None
