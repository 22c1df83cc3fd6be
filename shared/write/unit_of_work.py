"""The unit of work: the only way into the write model. One transaction per command, its
repositories on that transaction's connection, its events in the outbox with the change."""

from __future__ import annotations

from sqlalchemy import Engine, RootTransaction

from shared.domain.events import Event
from shared.platform import metrics
from shared.platform.db import read_engine, write_engine
from shared.write import locks, outbox
from shared.write.callbacks import Callbacks
from shared.write.erasure import Erasures
from shared.write.lookup import Lookups
from shared.write.matching import Matches
from shared.write.reconciliation import Reconciliation
from shared.write.repositories import AuditTrail, Parties, Payments, Receipts

SWEEP_TRIES = 20


class UnitOfWork:
    """One write-model transaction, rolled back unless commit() is called.

    A service records each event it makes with record(); the repositories record those
    their statements make with their change. commit() writes the recorded events to the
    outbox in the same transaction as the state change they describe, and publishes them
    once it has committed.
    """

    parties: Parties
    receipts: Receipts
    payments: Payments
    matches: Matches
    callbacks: Callbacks
    erasures: Erasures
    reconciliation: Reconciliation
    lookups: Lookups
    audit: AuditTrail

    def __init__(self, engine: Engine | None = None, read: Engine | None = None):
        self.engine = engine or write_engine()
        self._read = read  # the read model, which reconciliation compares (read_engine() if None)
        self._sweep = False

    def sweeping(self) -> UnitOfWork:
        """This unit as a matching sweep: its transaction holds the sweep lock and reads one
        snapshot throughout (REPEATABLE READ), so every rule of the cascade sees the same
        items: a pair committed between two rules' statements is left to the next run."""
        self._sweep = True
        return self

    def __enter__(self) -> UnitOfWork:
        self._connection = self.engine.connect()
        try:
            self._transaction = self._begin_sweep() if self._sweep else self._connection.begin()
        except BaseException:
            self._connection.close()
            raise
        self._recorded = outbox.Recorded()
        connection = self._connection
        self.parties = Parties(connection)
        self.receipts = Receipts(connection, self._recorded)
        self.payments = Payments(connection, self._recorded)
        self.matches = Matches(connection, self._recorded)
        self.callbacks = Callbacks(connection, self.parties)
        self.erasures = Erasures(connection, self._recorded)
        self.lookups = Lookups(connection)
        self.audit = AuditTrail(connection)
        self.reconciliation = Reconciliation(connection, lambda: self._read or read_engine())
        return self

    def _begin_sweep(self) -> RootTransaction:
        """A transaction whose snapshot is no older than its hold of the sweep lock.

        A transaction's first statement takes its snapshot: waiting for the lock there would
        leave it blind to the matches committed meanwhile. So the lock is tried, and while
        it is busy, waited for in a transaction of its own, let go and tried again."""
        connection = self._connection
        connection.execution_options(isolation_level="REPEATABLE READ")  # the pool resets it
        for _ in range(SWEEP_TRIES):
            transaction = connection.begin()
            if connection.execute(locks.TRY_SWEEP).scalar():
                return transaction
            transaction.rollback()
            with connection.begin():
                connection.execute(locks.SWEEP)
        # Busy all along: wait on an older snapshot. A match committed while it waited then
        # fails the run (SQLSTATE 40001), a transient fault its trigger retries.
        transaction = connection.begin()
        connection.execute(locks.SWEEP)
        return transaction

    def record(self, event: Event) -> None:
        """An event of this unit's change, written to the outbox at commit and published after."""
        self._recorded.add(event)

    def commit(self) -> None:
        outbox.write(self._connection, self._recorded.to_write)
        self._transaction.commit()
        committed = self._recorded.all()
        metrics.committed(committed)
        outbox.publish_committed(self.engine, committed)

    def __exit__(self, *exc_info: object) -> None:
        try:
            if self._transaction.is_active:
                self._transaction.rollback()
        finally:
            self._connection.close()
