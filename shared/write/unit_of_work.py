"""The unit of work: one write-model transaction per invocation, its events in the outbox."""

from __future__ import annotations

from sqlalchemy import Connection, Engine

from shared.domain.events import Event
from shared.platform import metrics
from shared.platform.db import write_engine
from shared.write import outbox
from shared.write.repositories import Parties, Payments, Receipts


class UnitOfWork:
    """One write-model transaction, rolled back unless commit() is called.

    Events recorded during the unit are written to the outbox by commit(), in the same
    transaction as the state change they describe, and published once it has committed.
    """

    connection: Connection

    def __init__(self, engine: Engine | None = None):
        self._engine = engine

    def __enter__(self) -> UnitOfWork:
        self.connection = (self._engine or write_engine()).connect()
        self._transaction = self.connection.begin()
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
        committed = self.events + self.written
        metrics.committed(committed)
        outbox.publish_committed(self.connection.engine, committed)

    def __exit__(self, *exc_info) -> None:
        try:
            if self._transaction.is_active:
                self._transaction.rollback()
        finally:
            self.connection.close()
