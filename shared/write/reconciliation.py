"""Scheduled reconciliation: what the event path missed, tolerant matches, expiry, drift.

One run, in one unit of work (UnitOfWork.sweeping); its matching and expiry hold the
matching sweep's advisory lock (so two concurrent runs end as one would, and no event's match
runs meanwhile):
1. drift: per day of the last RECONCILE_DRIFT_DAYS, the read model's count and checksum
   of receipts and payments are compared with the write model's; the items of a day that differs are restated (an
   event carrying the write model's state, which the projector applies over its row);
2. the matching cascade over everything open: the exact rule, then the tolerant rules
   (shared.domain.matching.RULES); every match records its rule, and a rule that finds more
   than one candidate matches none and marks the items ambiguous;
3. expiry: items still unmatched after the expiry window are marked expired;
4. a completed event with the run's figures (the read model keeps its drift repairs).

Every change is recorded in the outbox; after the commit the run relays them at once.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text

from shared.domain import events
from shared.domain.matching import RULES
from shared.platform import logs
from shared.platform.config import settings
from shared.platform.db import array_literal
from shared.write import matching, outbox

if TYPE_CHECKING:
    from shared.write.unit_of_work import UnitOfWork  # which imports this module

_log = logs.get("reconcile")


_EXPIRED = "t.status = 'unmatched' AND t.created_at < now() - make_interval(secs => :window)"
_EXPIRE = {
    table: text(matching.transition_sql(table, "expired", _EXPIRED, outbox.RECORDED_IDS))
    for table in ("receipts", "payments")
}

# One row per item of the days since :since, as both models can state it: what drift is
# judged on. A receipt's day is its local date as printed; a payment's its transaction
# date (both indexed on either side, so a run reads only the recent days).
_ITEM_ROWS = {
    ("write", "receipts"): """
        SELECT left(document->>'issued_at', 10) AS day, id,
               md5(concat_ws(':', id, version, status, merchant_id, document->'totals'->>'total')) AS digest
        FROM receipts WHERE left(document->>'issued_at', 10) >= :since""",
    ("read", "receipts"): """
        SELECT left(issued_at, 10) AS day, id,
               md5(concat_ws(':', id, version, status, merchant_id, totals->>'total')) AS digest
        FROM receipt_views WHERE left(issued_at, 10) >= :since""",
    # Payments have the same columns on both sides.
    **{
        (model, "payments"): f"""
        SELECT CAST(transaction_date AS text) AS day, id,
               md5(concat_ws(':', id, version, status, amount, coalesce(CAST(receipt_id AS text), ''))) AS digest
        FROM {table} WHERE transaction_date >= CAST(:since AS date)"""
        for model, table in (("write", "payments"), ("read", "payment_views"))
    },
}
_DAYS = {
    key: text(
        f"SELECT day, count(*) AS items, md5(string_agg(digest, '' ORDER BY id)) AS checksum"
        f" FROM ({rows}) AS items GROUP BY day"
    )
    for key, rows in _ITEM_ROWS.items()
}
_DAY_ITEMS = {
    key: text(f"SELECT id, day, digest FROM ({rows}) AS items WHERE day = ANY(CAST(:days AS text[]))")
    for key, rows in _ITEM_ROWS.items()
}
_RESTATE = {
    table: text(
        outbox.recording_sql(
            f"changed AS (SELECT id, document FROM {table} WHERE id = ANY(CAST(:ids AS uuid[])))", outbox.RECORDED_IDS
        )
    )
    for table in ("receipts", "payments")
}
# An item whose latest event is unpublished or younger than this is on its way to the read
# model: lag, not drift.
DRIFT_GRACE_SECONDS = 10.0
_IN_FLIGHT = text(
    """
    SELECT DISTINCT subject FROM outbox
    WHERE subject = ANY(CAST(:ids AS uuid[]))
      AND (published_at IS NULL OR occurred_at > now() - make_interval(secs => :grace))
    """
)
_RESTATED = {"receipts": events.RECEIPT_RESTATED, "payments": events.PAYMENT_RESTATED}
_EXPIRED_EVENTS = {"receipts": events.RECEIPT_EXPIRED, "payments": events.PAYMENT_EXPIRED}
_FAILED_CALLBACKS = text("SELECT count(*) FROM callbacks WHERE status = 'failed'")


@dataclass
class Run:
    """What one reconcile run did."""

    id: uuid.UUID = field(default_factory=uuid.uuid4)
    matched: dict[str, int] = field(default_factory=dict)
    card_keys: dict[str, dict[str, int]] = field(default_factory=dict)  # each rule's matches by card_key
    ambiguous: int = 0
    expired: dict[str, int] = field(default_factory=dict)
    drift_repaired: dict[str, int] = field(default_factory=dict)
    failed_callbacks: int = 0

    def summary(self) -> dict[str, str | int | dict[str, int]]:
        return {
            "run_id": str(self.id),
            "finished_at": datetime.now(UTC).isoformat(),
            "matched": self.matched,
            "ambiguous": self.ambiguous,
            "expired": self.expired,
            "drift_repaired": self.drift_repaired,
            "failed_callbacks": self.failed_callbacks,
        }


def reconcile(uow: UnitOfWork) -> Run:
    """One run in uow (a sweeping unit of work, which reads one snapshot). Returns its
    figures; the completed event is the caller's to record."""
    config = settings()
    run = Run()
    # Drift first: what this run changes is on its way to the read model, not drift. (It
    # only reads and records events, so it needs no lock: a second run restates again.)
    run.drift_repaired = uow.reconciliation.repair_drift()
    uow.matches.lock_sweep()
    for rule in RULES:
        outcome = uow.matches.sweep(rule=rule, tip_share=config.tip_share)
        run.matched[rule] = outcome.lines_matched
        run.card_keys[rule] = dict(outcome.card_keys)
        run.ambiguous += outcome.ambiguous_items
    run.expired = uow.reconciliation.expire(config.expiry_days * 86400)
    run.failed_callbacks = uow.reconciliation.failed_callbacks()
    logs.event(_log, "reconcile.completed", logging.INFO, **run.summary())
    return run


class Reconciliation:
    """What a run reads and changes, on the unit of work's connection: drift between the
    models (the read model's side read through read_engine, never written), expiry."""

    def __init__(self, connection: Connection, read_engine: Callable[[], Engine]):
        self.connection = connection
        self._read_engine = read_engine

    def drift(self) -> dict[str, dict[uuid.UUID, str]]:
        """The receipts and payments of the last RECONCILE_DRIFT_DAYS days whose read-model row
        differs from the write model (or is missing), each with its day; items with events in
        flight are left out. Only the items of days whose count or checksum differ are
        compared one by one."""
        since = (datetime.now(UTC).date() - timedelta(days=settings().drift_days)).isoformat()
        write = self.connection
        differing: dict[str, dict[uuid.UUID, str]] = {}
        with self._read_engine().connect() as read:
            for table in ("receipts", "payments"):
                truth = {
                    row.day: (row.items, row.checksum) for row in write.execute(_DAYS["write", table], {"since": since})
                }
                shown = {
                    row.day: (row.items, row.checksum) for row in read.execute(_DAYS["read", table], {"since": since})
                }
                days = sorted(day for day in truth if shown.get(day) != truth[day])
                differing[table] = {}
                if days:
                    params = {"days": array_literal(days), "since": since}
                    shown_items = {row.id: row.digest for row in read.execute(_DAY_ITEMS["read", table], params)}
                    differing[table] = {
                        row.id: row.day
                        for row in write.execute(_DAY_ITEMS["write", table], params)
                        if shown_items.get(row.id) != row.digest
                    }
                if differing[table]:
                    in_flight = write.execute(
                        _IN_FLIGHT, {"ids": array_literal(differing[table]), "grace": DRIFT_GRACE_SECONDS}
                    )
                    for row in in_flight:
                        differing[table].pop(row.subject, None)
        return differing

    def repair_drift(self) -> dict[str, int]:
        """Restate every item that drifted (the relay publishes them); how many were restated per day."""
        repaired: Counter[str] = Counter()
        for table, items in self.drift().items():
            if items:
                self.connection.execute(_RESTATE[table], {"ids": array_literal(items), "type": _RESTATED[table]})
                repaired.update(items.values())
        return dict(repaired)

    def expire(self, window_seconds: float) -> dict[str, int]:
        """Mark the items unmatched for longer than the window expired (the relay publishes
        their events); how many of each."""
        return {
            table: len(
                self.connection.execute(statement, {"window": window_seconds, "type": _EXPIRED_EVENTS[table]}).all()
            )
            for table, statement in _EXPIRE.items()
        }

    def failed_callbacks(self) -> int:
        return int(self.connection.execute(_FAILED_CALLBACKS).scalar_one())
