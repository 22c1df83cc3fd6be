"""The unit of work: one write-model transaction per invocation, its events in the outbox."""

from __future__ import annotations

from sqlalchemy import Connection, Engine

from shared.domain.events import Event
from shared.platform import metrics
from shared.platform.db import write_engine
from shared.write import matching, outbox
from shared.write.repositories import Parties, Payments, Receipts


class UnitOfWork:
    """One write-model transaction, rolled back unless commit() is called.

    Events recorded during the unit are written to the outbox by commit(), in the same
    transaction as the state change they describe, and published once it has committed.
    """

    connection: Connection

    def __init__(self, engine: Engine | None = None):
        self._engine = engine
        self._sweep = False
        self._holding_sweep = False

    def sweeping(self) -> UnitOfWork:
        """This unit as a matching sweep: it waits for the sweep lock before its transaction
        begins, then reads one snapshot throughout (REPEATABLE READ), so every rule of the
        cascade sees the same items. At READ COMMITTED each statement saw what had committed
        since the one before: a pair arriving between the exact and the date_window rule was
        matched by date_window, its dates equal. (The transaction's own lock would not do:
        its first statement takes the snapshot, and taking the lock is that statement.)"""
        self._sweep = True
        return self

    def __enter__(self) -> UnitOfWork:
        self.connection = (self._engine or write_engine()).connect()
        try:
            if self._sweep:
                self.connection.execute(matching.HOLD_SWEEP)
                self._holding_sweep = True
                self.connection.commit()
                self.connection.execution_options(isolation_level="REPEATABLE READ")
            self._transaction = self.connection.begin()
        except BaseException:
            self._close()
            raise
        self.parties = Parties(self.connection)
        self.receipts = Receipts(self.connection)
        self.payments = Payments(self.connection)
        self.events: list[Event] = []
        self.written: list[Event] = []
        return self

    def record(self, event: Event) -> None:
        """An event to write to the outbox at commit (and publish after)."""
        self.events.append(event)

    def recorded(self, events: list[Event]) -> None:
        """Events that set-based SQL already wrote to the outbox: publish after commit."""
        self.written.extend(events)

    def commit(self) -> None:
        outbox.write(self.connection, self.events)
        self._transaction.commit()
        self._release_sweep()
        committed = self.events + self.written
        metrics.committed(committed)
        outbox.publish_committed(self.connection.engine, committed)

    def __exit__(self, *exc_info) -> None:
        try:
            if self._transaction.is_active:
                self._transaction.rollback()
        finally:
            self._close()

    def _close(self) -> None:
        try:
            self._release_sweep()
        finally:
            self.connection.close()  # the pool resets the isolation level

    def _release_sweep(self) -> None:
        if not self._holding_sweep:
            return
        self._holding_sweep = False
        try:
            self.connection.execute(matching.RELEASE_SWEEP)
            self.connection.commit()
        except Exception:
            # The connection is broken: closing it for good ends its session, and the lock with it.
            self.connection.invalidate()
