"""The read model's projector: each event applied exactly once, newer state never overwritten.

Events carry the whole state of their aggregate with its version (event-carried state),
so applying them is an upsert guarded by the version: redelivery and reordering leave the
read model as one in-order delivery would.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import Connection, text

from shared import events
from shared.errors import PoisonEvent

CONSUMER = "project-read-model"

_TRACK = text(
    "INSERT INTO processed_events (consumer, event_id) VALUES (:consumer, :event_id)"
    " ON CONFLICT DO NOTHING RETURNING event_id"
)

_UPSERT_PARTY = text(
    """
    INSERT INTO party_views (id, kind, name) VALUES (:id, :kind, :name)
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name
    """
)

_UPSERT_RECEIPT = text(
    """
    INSERT INTO receipt_views (id, merchant_id, merchant_receipt_id, status, issued_at, currency,
                               totals, lines, payments, bank_ids, submitted_at, version)
    VALUES (:id, :merchant_id, :merchant_receipt_id, :status, :issued_at, :currency,
            CAST(:totals AS jsonb), CAST(:lines AS jsonb), CAST(:payments AS jsonb),
            CAST(:bank_ids AS uuid[]), :submitted_at, :version)
    ON CONFLICT (id) DO UPDATE SET
        status = EXCLUDED.status, totals = EXCLUDED.totals, lines = EXCLUDED.lines,
        payments = EXCLUDED.payments, bank_ids = EXCLUDED.bank_ids, version = EXCLUDED.version,
        projected_at = now()
    WHERE receipt_views.version < EXCLUDED.version
    """
)

_UPSERT_PAYMENT = text(
    """
    INSERT INTO payment_views (id, bank_id, bank_payment_id, account_ref, masked_pan, auth_code, amount,
        currency, transaction_date, transaction_time, merchant_name, terminal_id, rrn, kind, status,
        receipt_id, submitted_at, version)
    VALUES (:id, :bank_id, :bank_payment_id, :account_ref, :masked_pan, :auth_code, :amount,
        :currency, CAST(:transaction_date AS date), CAST(:transaction_time AS time), :merchant_name,
        :terminal_id, :rrn, :kind, :status, :receipt_id, :submitted_at, :version)
    ON CONFLICT (id) DO UPDATE SET
        amount = EXCLUDED.amount, status = EXCLUDED.status, receipt_id = EXCLUDED.receipt_id,
        version = EXCLUDED.version, projected_at = now()
    WHERE payment_views.version < EXCLUDED.version
    """
)


def _party(kind: str) -> Callable[[Connection, dict], None]:
    def apply(connection: Connection, data: dict) -> None:
        connection.execute(_UPSERT_PARTY, {"id": data["id"], "kind": kind, "name": data["name"]})

    return apply


def _receipt(connection: Connection, data: dict) -> None:
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
            "bank_ids": "{" + ",".join(data.get("bank_ids", [])) + "}",
            "submitted_at": data["submitted_at"],
            "version": data["version"],
        },
    )


def _payment(connection: Connection, data: dict) -> None:
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
        | {"receipt_id": data.get("receipt_id")},
    )


APPLY: dict[str, Callable[[Connection, dict], None]] = {
    events.MERCHANT_REGISTERED: _party("merchant"),
    events.BANK_REGISTERED: _party("bank"),
    events.RECEIPT_SUBMITTED: _receipt,
    events.RECEIPT_MATCHED: _receipt,
    events.PAYMENT_SUBMITTED: _payment,
    events.PAYMENT_MATCHED: _payment,
}


def project(connection: Connection, event: dict, consumer: str = CONSUMER) -> bool:
    """Apply one CloudEvent in the caller's transaction; False if it was applied before.

    Event types the read model does not show are tracked and otherwise ignored.
    """
    if connection.execute(_TRACK, {"consumer": consumer, "event_id": event["id"]}).first() is None:
        return False
    apply = APPLY.get(event["type"])
    if apply is not None:
        try:
            apply(connection, event["data"])
        except (KeyError, TypeError) as error:
            raise PoisonEvent(f"{event['type']} {event['id']} lacks {error}") from None
    return True
