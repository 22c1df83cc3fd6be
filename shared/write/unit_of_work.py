"""The unit of work: one write-model transaction per invocation, its events in the outbox."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, RootTransaction

from shared.domain.events import Event
from shared.platform import metrics
from shared.platform.db import write_engine
from shared.write import matching, outbox
from shared.write.repositories import Parties, Payments, Receipts

SWEEP_TRIES = 20


class UnitOfWork:
    """One write-model transaction, rolled back unless commit() is called.

    Events recorded during the unit are written to the outbox by commit(), in the same
    transaction as the state change they describe, and published once it has committed.
    """

    connection: Connection

    def __init__(self, engine: Engine | None = None):
        self._engine = engine
        self._sweep = False

    def sweeping(self) -> UnitOfWork:
        """This unit as a matching sweep: its transaction holds the sweep lock and reads one
        snapshot throughout (REPEATABLE READ), so every rule of the cascade sees the same
        items. (At READ COMMITTED a pair committed between the exact and the date_window
        statement was matched by date_window, its dates equal.)"""
        self._sweep = True
        return self

    def __enter__(self) -> UnitOfWork:
        self.connection = (self._engine or write_engine()).connect()
        try:
            self._transaction = self._begin_sweep() if self._sweep else self.connection.begin()
        except BaseException:
            self.connection.close()
            raise
        self.parties = Parties(self.connection)
        self.receipts = Receipts(self.connection)
        self.payments = Payments(self.connection)
        self.events: list[Event] = []
        self.written: list[Event] = []
        return self

    def _begin_sweep(self) -> RootTransaction:
        """A transaction whose snapshot is no older than its hold of the sweep lock.

        A transaction's first statement takes its snapshot: waiting for the lock there would
        leave it blind to the matches committed meanwhile. So the lock is tried, and while
        it is busy, waited for in a transaction of its own, let go and tried again. Only
        locks of a transaction are used, which a pooler in transaction mode keeps."""
        self.connection.execution_options(isolation_level="REPEATABLE READ")  # the pool resets it
        for _ in range(SWEEP_TRIES):
            transaction = self.connection.begin()
            if self.connection.execute(matching.TRY_LOCK_SWEEP).scalar():
                return transaction
            transaction.rollback()
            with self.connection.begin():
                self.connection.execute(matching.LOCK_SWEEP)
        # Busy all along: wait on an older snapshot. A match committed while it waited then
        # fails the run (SQLSTATE 40001), a transient fault its trigger retries.
        transaction = self.connection.begin()
        self.connection.execute(matching.LOCK_SWEEP)
        return transaction

    def record(self, event: Event) -> None:
        """An event to write to the outbox at commit (and publish after)."""
        self.events.append(event)

    def recorded(self, events: list[Event]) -> None:
        """Events that set-based SQL already wrote to the outbox: publish after commit."""
        self.written.extend(events)

    def commit(self) -> None:
        outbox.write(self.connection, self.events)
        self._transaction.commit()
        committed = self.events + self.written
        metrics.committed(committed)
        outbox.publish_committed(self.connection.engine, committed)

    def __exit__(self, *exc_info) -> None:
        try:
            if self._transaction.is_active:
                self._transaction.rollback()
        finally:
            self.connection.close()
