"""Database engines (pg8000) and the unit of work: one transaction per invocation."""

from __future__ import annotations

import functools

import pg8000.exceptions
from sqlalchemy import Connection, Engine, create_engine

from shared import outbox
from shared.dialect import prepared_url
from shared.config import settings
from shared.events import Event
from shared.repositories import Parties, Payments, Receipts


# SQLSTATEs of a server that cannot take a connection now but will: starting up, shutting
# down, out of connection slots.
_SERVER_BUSY = {"57P03", "57P01", "53300", "08006"}


def server_unavailable(error: BaseException) -> bool:
    """Whether a pg8000 error means the server is unreachable or not yet accepting, rather
    than refusing what was asked (a later attempt can succeed)."""
    if isinstance(error, (pg8000.exceptions.InterfaceError, OSError)):
        return True
    if isinstance(error, pg8000.exceptions.DatabaseError) and error.args and isinstance(error.args[0], dict):
        return error.args[0].get("C") in _SERVER_BUSY
    return False


def _engine(url: str) -> Engine:
    # One connection per serving thread (and two for background work such as outbox
    # marks): a request never waits for the pool. No pre-ping (a round trip per
    # checkout): a dead connection fails one request with 503 + Retry-After and the pool
    # is refilled.
    return create_engine(
        prepared_url(url),
        pool_size=settings().serving_threads,
        max_overflow=2,
        pool_timeout=5,
        connect_args={"timeout": 10},
    )


@functools.cache
def write_engine() -> Engine:
    return _engine(settings().write_database_url)


@functools.cache
def read_engine() -> Engine:
    return _engine(settings().read_database_url)


@functools.cache
def sim_engine() -> Engine:
    """The simulated parties' database (never the platform's)."""
    return _engine(settings().sim_database_url)


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
        outbox.publish_committed(self.connection.engine, self.events + self.written)

    def __exit__(self, *exc_info) -> None:
        try:
            if self._transaction.is_active:
                self._transaction.rollback()
        finally:
            self.connection.close()


def array_literal(items) -> str:
    """A PostgreSQL array literal of ids, dates or the like, for CAST(:param AS uuid[]) etc.:
    one parameter however many items (pg8000 sends no arrays of uuids)."""
    return "{" + ",".join(map(str, items)) + "}"
