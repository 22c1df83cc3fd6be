"""Database engines (pg8000): one shared pool per database and process."""

from __future__ import annotations

import os
import socket
import threading
import time
import weakref

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool
from sqlalchemy.util.queue import Queue

from shared.platform import faults
from shared.platform.config import settings
from shared.platform.dialect import prepared_url


class IdleReleasingPool(QueuePool):
    """SQLAlchemy's QueuePool, last in first out, closing connections left idle too long.

    Last in first out, a light load keeps reusing the same one or two connections and the
    rest of the pool goes idle; a background thread then closes every connection idle for
    longer than idle_seconds, so a quiet function holds none and PostgreSQL's connection
    slots go to whoever is busy.
    """

    def __init__(self, creator, idle_seconds: float = 30.0, **kw):
        kw.setdefault("use_lifo", True)
        super().__init__(creator, **kw)
        self.idle_seconds = idle_seconds
        _idle_reaper.watch(self)

    def recreate(self) -> IdleReleasingPool:
        pool = super().recreate()
        assert isinstance(pool, IdleReleasingPool)  # QueuePool recreates its own class
        pool.idle_seconds = self.idle_seconds
        return pool

    def _do_return_conn(self, record) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()
        super()._do_return_conn(record)

    def release_idle(self) -> int:
        """Close the connections idle for longer than idle_seconds; returns how many."""
        cutoff = time.monotonic() - self.idle_seconds
        idle = []
        # The queue's left end holds the connections returned longest ago (QueuePool
        # offers no public way to reach them).
        queue = self._pool
        assert isinstance(queue, Queue)  # what QueuePool keeps its idle connections in
        with queue.mutex:
            while queue.queue and queue.queue[0].info.get(_IDLE_SINCE, 0.0) < cutoff:
                idle.append(queue.queue.popleft())
        for record in idle:
            try:
                record.close()
            finally:
                self._dec_overflow()
        return len(idle)


_IDLE_SINCE = "receipts.idle_since"


class _IdleReaper:
    """One daemon thread per process that releases the idle connections of every pool."""

    def __init__(self) -> None:
        self._pools: weakref.WeakSet[IdleReleasingPool] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._pid = 0

    def watch(self, pool: IdleReleasingPool) -> None:
        with self._lock:
            self._pools.add(pool)
            if self._pid != os.getpid():  # first pool, or a forked child without the thread
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="pool-reaper", daemon=True).start()

    def _run(self) -> None:
        while True:
            with self._lock:
                pools = list(self._pools)
            time.sleep(min([1.0] + [pool.idle_seconds / 2 for pool in pools]))
            for pool in pools:
                try:
                    pool.release_idle()
                except Exception:  # closing a broken connection has nothing left to save
                    pass


_idle_reaper = _IdleReaper()


def engine_for(url: str, pool_size: int | None = None) -> Engine:
    """An engine of the platform's kind: its pool, its handling of dead sessions."""
    # No pre-ping (a round trip per checkout): a dead connection fails one request with
    # 503 + Retry-After, is invalidated, and the pool opens a new one.
    config = settings()
    engine = create_engine(
        prepared_url(url),
        poolclass=IdleReleasingPool,
        pool_size=pool_size or config.database_pool_size,
        max_overflow=0,
        pool_timeout=5,
        idle_seconds=config.database_pool_idle_seconds,
        connect_args={"timeout": 10, "application_name": config.function_target or "receipts"},
    )
    event.listen(engine, "connect", _send_at_once)
    event.listen(engine, "handle_error", _discard_ended_sessions)
    return engine


def _send_at_once(dbapi_connection, _record) -> None:
    # pg8000 leaves Nagle's algorithm on (libpq turns it off): a message longer than its
    # 8 KiB write buffer goes out in two writes, and the second waits for the server's
    # delayed ACK, 40 ms on Linux, before the statement even starts.
    sock = getattr(dbapi_connection, "_usock", None)
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _discard_ended_sessions(context) -> None:
    # A connection whose session the server ended (a terminated backend, a restart) is
    # dead: the pool discards it, and those opened before it, instead of lending it again.
    if context.connection is not None and faults.session_ended(context.original_exception):
        context.is_disconnect = True


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def _shared_engine(url: str, pool_size: int | None = None) -> Engine:
    # Under a lock: the first requests arrive on several threads at once, and an engine
    # made twice is a second pool of connections that nobody closes.
    with _engines_lock:
        if url not in _engines:
            _engines[url] = engine_for(url, pool_size)
        return _engines[url]


def write_engine() -> Engine:
    return _shared_engine(settings().write_database_url)


def read_engine() -> Engine:
    return _shared_engine(settings().read_database_url)


def sim_engine() -> Engine:
    """The simulated parties' database (never the platform's). Their short transactions
    need two connections at most: the platform's budget goes to the platform."""
    return _shared_engine(settings().sim_database_url, min(2, settings().database_pool_size))


def array_literal(items) -> str:
    """A PostgreSQL array literal of ids, dates or the like, for CAST(:param AS uuid[]) etc.:
    one parameter however many items (pg8000 sends no arrays of uuids)."""
    return "{" + ",".join(map(str, items)) + "}"
