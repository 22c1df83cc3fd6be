"""The read model's projector: each event applied exactly once, newer state never overwritten.

Events carry the whole state of their aggregate with its version (event-carried state),
so applying them is an upsert guarded by the version: redelivery and reordering leave the
read model as one in-order delivery would.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, text

from shared.domain import events, receipts
from shared.domain.errors import PoisonEvent
from shared.platform import metrics
from shared.platform.db import array_literal

CONSUMER = "project-read-model"

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


class _Views:
    """A view table the projector upserts a batch's rows into at once: one statement for
    the rows that must be newer than the stored one (by version, or a callback's attempts),
    another for the restated ones that replace it whatever its version."""

    def __init__(self, table: str, columns: tuple[str, ...], updated: tuple[str, ...], newer: str, stamp: str):
        names = ", ".join(columns)
        upsert = (
            f"INSERT INTO {table} ({names}) SELECT {names}"
            f" FROM jsonb_populate_recordset(NULL::{table}, CAST(:rows AS jsonb))"
            f" ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in updated)},"
            f" {stamp} = now()"
        )
        self.newer = newer
        self.upsert = text(f"{upsert} WHERE {table}.{newer} < EXCLUDED.{newer}")
        self.restate = text(upsert)


_RECEIPT_COLUMNS = (
    "id",
    "merchant_id",
    "merchant_receipt_id",
    "status",
    "issued_at",
    "currency",
    "totals",
    "lines",
    "payments",
    "bank_ids",
    "refund_of",
    "submitted_at",
    "version",
    "ambiguity",
    "extras",
)
# What every payment event carries, what only some do, and the view's ambiguity beside them.
_PAYMENT_FIELDS = (
    "id",
    "bank_id",
    "bank_payment_id",
    "account_ref",
    "masked_pan",
    "auth_code",
    "amount",
    "currency",
    "transaction_date",
    "transaction_time",
    "merchant_name",
    "terminal_id",
    "rrn",
    "kind",
    "status",
    "submitted_at",
    "version",
)
_PAYMENT_LATER_FIELDS = (
    "receipt_id",
    "match_rule",
    "card_key",
    "authorised_amount",
    "token",
    "cashback_amount",
    "billing_amount",
    "billing_currency",
)
_PAYMENT_COLUMNS = (*_PAYMENT_FIELDS, *_PAYMENT_LATER_FIELDS, "ambiguity")
_CALLBACK_COLUMNS = ("id", "payment_id", "party_kind", "party_id", "status", "attempts", "last_error")
RECEIPT_VIEWS = _Views("receipt_views", _RECEIPT_COLUMNS, _RECEIPT_COLUMNS[1:], "version", "projected_at")
PAYMENT_VIEWS = _Views("payment_views", _PAYMENT_COLUMNS, _PAYMENT_COLUMNS[1:], "version", "projected_at")
CALLBACK_VIEWS = _Views(
    "callback_views", _CALLBACK_COLUMNS, ("status", "attempts", "last_error"), "attempts", "finished_at"
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
        connection.execute(
            _UPSERT_PARTY,
            {
                "id": data["id"],
                "kind": kind,
                "name": data["name"],
                "identity": json.dumps(data.get("identity") or {}),
                # An event that carries no version is of a party never changed.
                "version": data.get("version", 1),
            },
        )

    return apply


def _receipt(data: dict) -> dict:
    return {
        key: data[key]
        for key in (
            "id",
            "merchant_id",
            "merchant_receipt_id",
            "status",
            "issued_at",
            "currency",
            "totals",
            "lines",
            "payments",
            "submitted_at",
            "version",
        )
    } | {
        "bank_ids": data.get("bank_ids", []),
        "refund_of": data.get("refund_of"),
        "ambiguity": _ambiguity(data),
        "extras": receipts.extras(data),
    }


def _ambiguity(data: dict) -> list | None:
    """An ambiguous item's set (its state keeps the last one after it moves on: not shown)."""
    return data["ambiguity"] if data["status"] == "ambiguous" and data.get("ambiguity") else None


def _payment(data: dict) -> dict:
    return (
        {key: data[key] for key in _PAYMENT_FIELDS}
        | {key: data.get(key) for key in _PAYMENT_LATER_FIELDS}
        | {"ambiguity": _ambiguity(data)}
    )


def _callback(data: dict) -> dict:
    return {"id": data["callback_id"]} | {
        key: data[key] for key in ("payment_id", "party_kind", "party_id", "status", "attempts", "last_error")
    }


def _unlinked(connection: Connection, data: dict) -> None:
    connection.execute(
        _INSERT_UNLINKED,
        {
            key: data[key]
            for key in (
                "unlink_id",
                "payment_id",
                "receipt_id",
                "bank_id",
                "merchant_id",
                "transaction_date",
                "unlinked_at",
            )
        },
    )


def _drift_repaired(connection: Connection, data: dict) -> None:
    connection.execute(
        _INSERT_DRIFT_REPAIRS,
        {"run_id": data["run_id"], "finished_at": data["finished_at"], "days": json.dumps(data["drift_repaired"])},
    )


# Events whose state is a row of a view table: (the table, the row, whether it restates).
ROWS: dict[str, tuple[_Views, Callable[[dict], dict], bool]] = {
    **dict.fromkeys(
        (
            events.RECEIPT_SUBMITTED,
            events.RECEIPT_MATCHED,
            events.RECEIPT_AMBIGUOUS,
            events.RECEIPT_EXPIRED,
            events.RECEIPT_UNMATCHED,
            events.RECEIPT_VOIDED,
        ),
        (RECEIPT_VIEWS, _receipt, False),
    ),
    events.RECEIPT_RESTATED: (RECEIPT_VIEWS, _receipt, True),
    **dict.fromkeys(
        (
            events.PAYMENT_SUBMITTED,
            events.PAYMENT_MATCHED,
            events.PAYMENT_AMBIGUOUS,
            events.PAYMENT_EXPIRED,
            events.PAYMENT_CLEARED,
            events.PAYMENT_REVERSED,
            events.PAYMENT_UNMATCHED,
        ),
        (PAYMENT_VIEWS, _payment, False),
    ),
    events.PAYMENT_RESTATED: (PAYMENT_VIEWS, _payment, True),
    events.CALLBACK_DELIVERED: (CALLBACK_VIEWS, _callback, False),
    events.CALLBACK_FAILED: (CALLBACK_VIEWS, _callback, False),
}

# Events applied one at a time (rare: registrations, unlinks, reconciliation runs).
APPLY: dict[str, Callable[[Connection, dict], None]] = {
    events.MERCHANT_REGISTERED: _party("merchant"),
    events.BANK_REGISTERED: _party("bank"),
    events.MERCHANT_UPDATED: _party("merchant"),
    events.BANK_UPDATED: _party("bank"),
    events.MATCH_UNLINKED: _unlinked,
    events.RECONCILIATION_COMPLETED: _drift_repaired,
}


def project(connection: Connection, event: dict, consumer: str = CONSUMER) -> bool:
    """Apply one CloudEvent in the caller's transaction; False if it was applied before.

    Event types the read model does not show are tracked and otherwise ignored.
    """
    return project_all(connection, [event], consumer) == 1


def project_all(connection: Connection, batch: list[dict], consumer: str = CONSUMER) -> int:
    """Apply a batch of CloudEvents in the caller's transaction as if one by one in order,
    claiming them in one statement and upserting each view table's rows in one more (not a
    round trip per event); how many were new."""
    ids = [_event_id(event) for event in batch]
    claimed = {
        row.event_id for row in connection.execute(_TRACK_ALL, {"consumer": consumer, "event_ids": array_literal(ids)})
    }
    # Per view row: the state the batch leaves it in, and whether a restatement on the way
    # there makes it replace the stored row whatever that row's version.
    rows: dict[tuple[_Views, str], tuple[dict, bool]] = {}
    applied = 0
    now = datetime.now(UTC)
    for event, event_id in zip(batch, ids):
        if event_id not in claimed:
            metrics.repeated(event["id"])
            continue
        claimed.discard(event_id)  # the same event twice in a batch: applied once
        applied += 1
        if occurred := _time(event):
            metrics.PROJECTION_LAG.observe(max((now - occurred).total_seconds(), 0.0))
        if event["type"] in ROWS:
            views, row_of, restates = ROWS[event["type"]]
            row = _of(event, row_of)
            before = rows.get((views, row["id"]))
            if before is None or restates or before[0][views.newer] < row[views.newer]:
                rows[views, row["id"]] = (row, restates or (before is not None and before[1]))
        elif event["type"] in APPLY:
            _of(event, functools.partial(APPLY[event["type"]], connection))
    for views in (RECEIPT_VIEWS, PAYMENT_VIEWS, CALLBACK_VIEWS):
        for restated, statement in ((False, views.upsert), (True, views.restate)):
            if chosen := [row for (table, _id), (row, forced) in rows.items() if table is views and forced is restated]:
                connection.execute(statement, {"rows": json.dumps(chosen)})
    return applied


def _event_id(event: dict) -> uuid.UUID:
    try:
        return uuid.UUID(event["id"])
    except ValueError:
        raise PoisonEvent(f"{event['type']} event id {event['id']!r} is not a UUID") from None


def _time(event: dict) -> datetime | None:
    """The event's time (its CloudEvent attribute), if it carries a readable one."""
    try:
        occurred = datetime.fromisoformat(event["time"])
    except (KeyError, TypeError, ValueError):
        return None
    return occurred if occurred.tzinfo else occurred.replace(tzinfo=UTC)


def _of(event: dict, apply: Callable[[dict], dict | None]):
    """apply to the event's data; an event that lacks what it must carry is poison."""
    try:
        return apply(event["data"])
    except (KeyError, TypeError) as error:
        raise PoisonEvent(f"{event['type']} {event['id']} lacks {error}") from None
