"""Rebuild the read model from the write model's events (the outbox keeps every one)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, text

from shared.platform import bus
from shared.read import projections

BATCH = 1000

_EVENTS = text(
    "SELECT position, id, type, subject, data, occurred_at FROM outbox"
    " WHERE position > :after ORDER BY position LIMIT :batch"
)


def replay(write: Engine, read: Engine, progress: Callable[[int], None] = lambda applied: None) -> int:
    """Empty the read model, then apply every recorded event in order; returns how many.

    Live projection may run meanwhile: tracking rows and version checks make the two
    converge on the same state.
    """
    with read.begin() as connection:
        connection.execute(text("TRUNCATE receipt_views, payment_views, party_views"))
        connection.execute(
            text("DELETE FROM processed_events WHERE consumer = :consumer"), {"consumer": projections.CONSUMER}
        )
    applied, after = 0, 0
    while True:
        with write.connect() as source:
            rows = source.execute(_EVENTS, {"after": after, "batch": BATCH}).all()
        if not rows:
            return applied
        with read.begin() as connection:
            projections.project_all(
                connection, [bus.envelope(row.id, row.type, row.subject, row.occurred_at, row.data) for row in rows]
            )
        applied += len(rows)
        after = rows[-1].position
        progress(applied)
