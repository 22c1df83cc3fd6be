"""The transactional outbox: events are recorded with the state change, published after.

Record: write() inserts a unit of work's events in its transaction. Publish: after the
commit, publish_committed() hands them to the process's publisher without waiting for the
broker, and those it confirms are marked published in the next batch;
if the broker is down or the process dies first, the rows stay unpublished and relay()
(the scheduled relay_outbox function) sends them later. Consumers dedupe, so publishing twice is safe;
publishing never is not possible once the transaction committed.
"""

from __future__ import annotations

import atexit
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, text

from shared.domain.events import Event
from shared.platform import bus, faults, logs

# The relay leaves rows this young to the function that committed them.
RELAY_GRACE_SECONDS = 10.0
RELAY_BATCH = 1000

_log = logs.get("outbox")

_INSERT = text(
    """
    INSERT INTO outbox (id, type, subject, data, occurred_at)
    SELECT e.id, e.type, e.subject, e.data, e.occurred_at
    FROM jsonb_to_recordset(CAST(:events AS jsonb))
        AS e(id uuid, type text, subject uuid, data jsonb, occurred_at timestamptz)
    """
)
_MARK_PUBLISHED = text("UPDATE outbox SET published_at = now() WHERE id = ANY(CAST(:ids AS uuid[]))")
_UNPUBLISHED = text(
    """
    SELECT position, id, type, subject, data, occurred_at FROM outbox
    WHERE published_at IS NULL AND position > :after
      AND occurred_at < now() - make_interval(secs => :grace)
    ORDER BY position
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
    """
)

# Both from the partial index of unpublished rows: a scrape stays cheap however big the table.
_BACKLOG = text(
    """
    SELECT count(*) AS unpublished,
           coalesce(extract(epoch FROM now() - (SELECT occurred_at FROM outbox WHERE published_at IS NULL
                                                ORDER BY position LIMIT 1)), 0) AS oldest_seconds
    FROM outbox WHERE published_at IS NULL
    """
)


# What set-based recording returns: the events, to publish after the commit (RECORDED),
# or only their ids when they are many and the relay publishes them (RECORDED_IDS).
RECORDED = "RETURNING id, type, subject, data, occurred_at"
RECORDED_IDS = "RETURNING id"


def recording_sql(changes: str, returning: str = RECORDED) -> str:
    """One statement that makes a set-based change and records an event of type :type with
    the new state of every row it changed. changes is a list of CTEs, the last one named
    changed and returning (id, document)."""
    return f"""
    WITH {changes}
    INSERT INTO outbox (id, type, subject, data)
    SELECT gen_random_uuid(), :type, id, document FROM changed
    {returning}
    """


def recording_one_sql(changes: str, made: str) -> str:
    """One statement that inserts a row and records the event given by event_params() with
    it, if the row was made: changes is a list of CTEs, the one named made returning the
    new row's id, which the statement returns (nothing if no row was made)."""
    return f"""
    WITH {changes}, recorded AS (
        INSERT INTO outbox (id, type, subject, data, occurred_at)
        SELECT :event_id, :event_type, id, CAST(:event_data AS jsonb), :occurred_at FROM {made}
    )
    SELECT id FROM {made}
    """


def event_params(event: Event) -> dict[str, uuid.UUID | str | datetime]:
    """The parameters of a recording_one_sql statement for event."""
    return {
        "event_id": event.id,
        "event_type": event.type,
        "event_data": json.dumps(event.data),
        "occurred_at": event.occurred_at,
    }


def recorded_events(rows: Iterable[Row[Any]]) -> list[Event]:
    """The events a recording_sql statement returned (with RECORDED)."""
    return [Event(row.type, row.subject, row.data, id=row.id, occurred_at=row.occurred_at) for row in rows]


class Recorded:
    """The events of one unit of work: those to write to the outbox at commit, and those a
    set-based statement wrote already, with the change it made. All are published once the
    unit has committed."""

    def __init__(self) -> None:
        self.to_write: list[Event] = []
        self.written: list[Event] = []

    def add(self, event: Event) -> None:
        self.to_write.append(event)

    def written_with(self, events: list[Event]) -> list[Event]:
        """Events a statement wrote with its change (the repositories' own)."""
        self.written.extend(events)
        return events

    def all(self) -> list[Event]:
        return self.to_write + self.written


def write(connection: Connection, events: list[Event]) -> None:
    """Insert all events in one statement (pg8000 pays round trips per statement)."""
    if not events:
        return
    rows = [
        {
            "id": str(event.id),
            "type": event.type,
            "subject": str(event.subject),
            "data": event.data,
            "occurred_at": event.occurred_at.isoformat(),
        }
        for event in events
    ]
    connection.execute(_INSERT, {"events": json.dumps(rows, default=str)})


def publish_committed(engine: Engine, events: list[Event]) -> None:
    """Publish events whose transaction has committed; never raises (the relay catches up).

    The request does not wait for the broker's confirms: the events are safe in the outbox
    already, and what the broker does not confirm stays unpublished for the relay."""
    if not events:
        return
    try:
        bus.publisher().send(
            [bus.cloud_event(event) for event in events], on_routed=lambda event_id: _marks.add(engine, [event_id])
        )
    except Exception as error:
        logs.event(_log, "outbox.publish_deferred", logging.WARNING, events=len(events), error=type(error).__name__)


class _PublishedMarks:
    """Marks published rows in batches, off the request path.

    One UPDATE per request cost a quarter of a submission. Instead a background thread
    marks everything published in the last few milliseconds in one statement, and keeps
    what it could not mark for its next try. Marks lost to a crash only make the relay
    publish those events again, which consumers dedupe.
    """

    FLUSH_SECONDS = 0.05
    RETRY_SECONDS_MAX = 5.0

    def __init__(self) -> None:
        self._pending: dict[Engine, list[str]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def add(self, engine: Engine, ids: list[str]) -> None:
        if not ids:
            return
        with self._lock:
            self._pending.setdefault(engine, []).extend(ids)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="outbox-marks", daemon=True)
                self._thread.start()
                atexit.register(self.flush)

    def flush(self) -> bool:
        """Mark what is pending; False if some could not be (they are kept for later)."""
        with self._lock:
            pending, self._pending = self._pending, {}
        marked = True
        for engine, ids in pending.items():
            try:
                with engine.begin() as connection:
                    connection.execute(_MARK_PUBLISHED, {"ids": ids})
            except Exception as error:
                logs.event(_log, "outbox.mark_failed", logging.WARNING, events=len(ids), error=type(error).__name__)
                if faults.retryable(error):
                    # A busy pool (every connection lent out) or a database away for a
                    # moment must not make the relay publish all these again.
                    marked = False
                    with self._lock:
                        self._pending.setdefault(engine, []).extend(ids)
        return marked

    def _run(self) -> None:
        pause = self.FLUSH_SECONDS
        while True:
            time.sleep(pause)
            pause = self.FLUSH_SECONDS if self.flush() else min(pause * 2, self.RETRY_SECONDS_MAX)


_marks = _PublishedMarks()


def backlog(engine: Engine) -> tuple[int, float]:
    """How many events wait unpublished, and how long the oldest of them has (seconds)."""
    with engine.connect() as connection:
        row = connection.execute(_BACKLOG).one()
    return row.unpublished, float(row.oldest_seconds)


def relay(engine: Engine, budget_seconds: float = 50.0, grace_seconds: float | None = None) -> int:
    """Publish unpublished rows older than the grace period, oldest first; returns how many.

    Rows are locked while they are sent (SKIP LOCKED), so concurrent relays share the work.
    Each batch goes out with its confirms in flight. While the broker or the database
    cannot be reached, the relay tries again with backoff until its budget runs out.
    """
    published, unroutable, after = 0, 0, 0
    deadline = time.monotonic() + budget_seconds
    pause = 0.5
    while time.monotonic() < deadline:
        try:
            with engine.begin() as connection:
                rows = connection.execute(
                    _UNPUBLISHED,
                    {
                        "after": after,
                        "batch": RELAY_BATCH,
                        "grace": RELAY_GRACE_SECONDS if grace_seconds is None else grace_seconds,
                    },
                ).all()
                if not rows:
                    break
                sent = list(
                    bus.publisher().publish(
                        [bus.envelope(row.id, row.type, row.subject, row.occurred_at, row.data) for row in rows],
                        timeout=max(min(30.0, deadline - time.monotonic()), 1.0),
                    )
                )
                if sent:
                    connection.execute(_MARK_PUBLISHED, {"ids": sent})
        except Exception as error:
            if not faults.retryable(error) or time.monotonic() + pause > deadline:
                raise
            logs.event(_log, "outbox.relay_waiting", logging.WARNING, error=type(error).__name__, retry_in=pause)
            time.sleep(pause)
            pause = min(pause * 2, 10.0)
            continue
        pause = 0.5
        published += len(sent)
        unroutable += len(rows) - len(sent)
        after = rows[-1].position
    if published or unroutable:
        logs.event(
            _log,
            "outbox.relayed",
            logging.WARNING if unroutable else logging.INFO,
            events=published,
            unroutable=unroutable,
        )
    return published
