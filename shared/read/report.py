"""The reconciliation report of one day, from the read model (GET /v1/reconciliation).

Scoped in every WHERE clause: the operator sees everything; a merchant its receipts, the
payments matched to them and its own callbacks; a bank its payments, the receipts matched
to them and its own callbacks. A payment's day is its transaction date; a receipt's the
local date printed on it. Amounts are summed per currency, in minor units.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError
from sqlalchemy import Connection, text

from shared.domain.matching import CARD_KEYS, MANUAL, RULES
from shared.domain.parties import Party

_PAYMENT_SCOPE = """(CAST(:operator AS boolean) OR p.bank_id = CAST(:party AS uuid)
    OR EXISTS (SELECT FROM receipt_views mine WHERE mine.id = p.receipt_id AND mine.merchant_id = CAST(:party AS uuid)))"""
_RECEIPT_SCOPE = """(CAST(:operator AS boolean) OR r.merchant_id = CAST(:party AS uuid)
    OR CAST(:party AS uuid) = ANY(r.bank_ids))"""

_MATCHED = text(
    f"""
    SELECT coalesce(p.match_rule, 'exact') AS rule, p.card_key, p.currency, count(*) AS items,
           sum(p.amount) AS amount
    FROM payment_views p
    WHERE p.transaction_date = CAST(:day AS date) AND p.status = 'matched' AND {_PAYMENT_SCOPE}
    GROUP BY 1, 2, 3
    """
)
# Matches the operator undid, on their payments' day.
_UNLINKED = text(
    """
    SELECT count(*) FROM unlinked_matches u
    WHERE u.transaction_date = CAST(:day AS date)
      AND (CAST(:operator AS boolean) OR u.bank_id = CAST(:party AS uuid) OR u.merchant_id = CAST(:party AS uuid))
    """
)
# The items still waiting for their other side (a voided receipt or a reversed payment waits for none).
WAITING = ("unmatched", "ambiguous", "expired")
_WAITING = ", ".join(f"'{status}'" for status in WAITING)
_OPEN_PAYMENTS = text(
    f"""
    SELECT p.status, p.currency, count(*) AS items, sum(p.amount) AS amount
    FROM payment_views p
    WHERE p.transaction_date = CAST(:day AS date) AND p.status IN ({_WAITING}) AND {_PAYMENT_SCOPE}
    GROUP BY 1, 2
    """
)
_OPEN_RECEIPTS = text(
    f"""
    SELECT r.status, r.currency, count(*) AS items, sum(CAST(r.totals->>'total' AS bigint)) AS amount
    FROM receipt_views r
    WHERE left(r.issued_at, 10) = :day AND r.status IN ({_WAITING}) AND {_RECEIPT_SCOPE}
    GROUP BY 1, 2
    """
)
_FAILED_CALLBACKS = text(
    """
    SELECT c.id, c.payment_id, p.bank_payment_id, c.party_kind, c.party_id, c.attempts, c.last_error, c.finished_at,
           count(*) OVER () AS total
    FROM callback_views c JOIN payment_views p ON p.id = c.payment_id
    WHERE c.status = 'failed' AND p.transaction_date = CAST(:day AS date)
      AND (CAST(:operator AS boolean) OR c.party_id = CAST(:party AS uuid))
    ORDER BY c.finished_at, c.id
    LIMIT 100
    """
)
_DRIFT_REPAIRED = text("SELECT coalesce(sum(items), 0) FROM drift_repairs WHERE day = CAST(:day AS date)")
# The daily match rate: of payments for the operator and banks, of receipts for merchants.
_PAYMENT_RATE = text(
    f"""
    SELECT p.transaction_date AS day, count(*) FILTER (WHERE p.status = 'matched') AS matched, count(*) AS items
    FROM payment_views p
    WHERE p.transaction_date BETWEEN CAST(:first AS date) AND CAST(:day AS date) AND {_PAYMENT_SCOPE}
    GROUP BY 1
    """
)
_RECEIPT_RATE = text(
    f"""
    SELECT CAST(left(r.issued_at, 10) AS date) AS day, count(*) FILTER (WHERE r.status = 'matched') AS matched,
           count(*) AS items
    FROM receipt_views r
    WHERE left(r.issued_at, 10) BETWEEN :first AND :day AND {_RECEIPT_SCOPE}
    GROUP BY 1
    """
)


def _iso_date(value):
    """A query's date as the document says it: YYYY-MM-DD, not a number of days since 1970."""
    if not (isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value)):
        raise PydanticCustomError("invalid_date", "a date as YYYY-MM-DD")
    return value


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: Annotated[dt.date, BeforeValidator(_iso_date)] = Field(
        default_factory=lambda: dt.datetime.now(dt.UTC).date(),
        description="the day reported (YYYY-MM-DD); today (UTC) by default",
    )
    days: int = Field(14, ge=1, le=90, description="how many days, ending on date, the match-rate series covers")


def reconciliation(connection: Connection, party: Party | None, query: ReportQuery) -> dict:
    """The report of query.date for a party (None: the operator)."""
    party_kind, party_id = (party.kind, party.id) if party else (None, None)
    day = query.date.isoformat()
    # The series stops at the calendar's first day (a report of 0001-01-10 has ten days).
    days = min(query.days, (query.date - dt.date.min).days + 1)
    first = query.date - timedelta(days=days - 1)
    params = {
        "day": day,
        "first": first.isoformat(),
        "operator": party_kind is None,
        "party": str(party_id) if party_id else None,
    }
    matched = {rule: _tally() for rule in (*RULES, MANUAL)}
    by_card_key = {key: _tally() for key in CARD_KEYS}
    for row in connection.execute(_MATCHED, params):
        _add(matched.setdefault(row.rule, _tally()), row)
        if row.card_key is not None:  # the operator's matches name no key
            _add(by_card_key[row.card_key], row)
    by_status = {status: {"receipts": _tally(), "payments": _tally()} for status in WAITING}
    for side, statement in (("payments", _OPEN_PAYMENTS), ("receipts", _OPEN_RECEIPTS)):
        for row in connection.execute(statement, params):
            _add(by_status[row.status][side], row)
    failed_rows = connection.execute(_FAILED_CALLBACKS, params).all()
    failed = [_failed_callback(row) for row in failed_rows]
    rates = {
        row.day: row for row in connection.execute(_RECEIPT_RATE if party_kind == "merchant" else _PAYMENT_RATE, params)
    }
    series = [_rate(first + timedelta(days=offset), rates) for offset in range(days)]
    return {
        "date": day,
        "scope": {"kind": party_kind or "operator", "id": str(party_id) if party_id else None},
        "matched": matched,
        "matched_by_card_key": by_card_key,
        **by_status,
        # All of them are counted; the first 100 are listed.
        "failed_callbacks": {"count": failed_rows[0].total if failed_rows else 0, "items": failed},
        "unlinked": connection.execute(_UNLINKED, params).scalar_one(),
        # Drift is the platform's own: only the operator sees it.
        "drift_repaired": connection.execute(_DRIFT_REPAIRED, params).scalar_one() if party_kind is None else None,
        "match_rate": {"of": "receipts" if party_kind == "merchant" else "payments", "days": series},
    }


def _failed_callback(row) -> dict:
    return {
        "callback_id": str(row.id),
        "payment_id": str(row.payment_id),
        "bank_payment_id": row.bank_payment_id,
        "party_kind": row.party_kind,
        "party_id": str(row.party_id),
        "attempts": row.attempts,
        "last_error": row.last_error,
        "failed_at": row.finished_at.isoformat(),
    }


def _rate(day: dt.date, rates: dict) -> dict:
    """The day's match rate: matched items of all items (None on a day with none)."""
    row = rates.get(day)
    matched, items = (row.matched, row.items) if row else (0, 0)
    return {
        "date": day.isoformat(),
        "matched": matched,
        "items": items,
        "rate": round(matched / items, 4) if items else None,
    }


def _tally() -> dict:
    return {"count": 0, "amounts": defaultdict(int)}


def _add(tally: dict, row) -> None:
    tally["count"] += row.items
    tally["amounts"][row.currency.strip()] += int(row.amount)


class Tally(BaseModel):
    count: int
    amounts: dict[str, int]  # minor units per currency


class WaitingItems(BaseModel):
    receipts: Tally
    payments: Tally


class FailedCallback(BaseModel):
    callback_id: str
    payment_id: str
    bank_payment_id: str
    party_kind: Literal["merchant", "bank"]
    party_id: str
    attempts: int
    last_error: str | None
    failed_at: str


class FailedCallbacks(BaseModel):
    count: int
    items: list[FailedCallback]


class DayRate(BaseModel):
    date: str
    matched: int
    items: int
    rate: float | None


class MatchRate(BaseModel):
    of: Literal["payments", "receipts"]
    days: list[DayRate]


class ReportScope(BaseModel):
    kind: Literal["operator", "merchant", "bank"]
    id: str | None


class ReconciliationReport(BaseModel):
    """One day's reconciliation, scoped to the caller (docs/matching.md)."""

    date: str
    scope: ReportScope
    matched: dict[str, Tally]  # per match rule, the operator's (manual) included
    matched_by_card_key: dict[str, Tally]  # per what established the card (the operator's matches aside)
    unmatched: WaitingItems
    ambiguous: WaitingItems
    expired: WaitingItems
    failed_callbacks: FailedCallbacks
    unlinked: int  # matches the operator undid
    drift_repaired: int | None  # the operator's only
    match_rate: MatchRate
