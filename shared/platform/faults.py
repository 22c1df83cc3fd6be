"""Which failures a later attempt can outlive (SPEC §8): the one place that decides.

A fault of the platform's surroundings (a refused, dropped or exhausted connection, a
database starting up, shutting down or out of slots, a broker that closed a connection)
or a lost race (a concurrent writer, a broken deadlock) says nothing about the request or
event being handled: HTTP functions answer 503 + Retry-After, consumers 503, which the
queue trigger retries with backoff for as long as it lasts. Anything else is either bad
data (a consumer dead-letters the event at once) or a bug.
"""

from __future__ import annotations

import pg8000.exceptions
import pika.exceptions
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolExhausted

# SQLSTATE classes of the server's state, not the statement's: connection exception,
# insufficient resources, operator intervention (shutdown, terminated backend, starting
# up), system error, internal error.
_SERVER_STATE_CLASSES = {"08", "53", "57", "58", "XX"}
# Lost races: a concurrent writer took the row first, a deadlock was broken, a
# serializable transaction conflicted, a lock was not free. The next attempt sees the
# winner's outcome and decides again.
_LOST_RACES = {"23505", "40P01", "40001", "55P03"}
# What a server that cannot take a connection yet says (startup waits only for these).
_NOT_ACCEPTING = {"53300", "57P01", "57P03"}


def retryable(error: BaseException) -> bool:
    """Whether error says nothing about the request or event that met it: a later attempt
    with the same input can succeed."""
    if isinstance(error, PoolExhausted):
        return True  # every connection of this process's pool is busy
    if isinstance(error, DBAPIError) and (
        error.connection_invalidated or isinstance(error, (OperationalError, InterfaceError))
    ):
        return True
    cause = _cause(error)
    if isinstance(
        cause,
        (
            pg8000.exceptions.InterfaceError,
            OSError,
            pika.exceptions.AMQPConnectionError,
            pika.exceptions.ChannelWrongStateError,
        ),
    ):
        return True
    detail = _detail(cause)
    if detail is None:
        return False
    code = detail.get("C", "")
    # FATAL ends the session, never a statement: every refusal at connect time (too many
    # connections, starting up, even a wrong password or database) and every terminated
    # backend is FATAL. Bad data is an ERROR.
    return detail.get("S") in ("FATAL", "PANIC") or code[:2] in _SERVER_STATE_CLASSES or code in _LOST_RACES


def session_ended(error: BaseException) -> bool:
    """Whether a database error ended the server's session (FATAL: a terminated backend, a
    server shutting down), leaving the connection dead though the driver does not say so."""
    detail = _detail(_cause(error))
    return detail is not None and detail.get("S") in ("FATAL", "PANIC")


def unreachable(error: BaseException) -> bool:
    """Whether error means the database server is not there or not accepting connections
    yet (what an admin process waits out at startup, rather than a wrong setting)."""
    cause = _cause(error)
    if isinstance(cause, (pg8000.exceptions.InterfaceError, OSError)):
        return True
    detail = _detail(cause)
    return detail is not None and (detail.get("C") in _NOT_ACCEPTING or detail.get("C", "")[:2] == "08")


def sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE of a database error, if it carries one (for logs)."""
    detail = _detail(_cause(error))
    return detail.get("C") if detail else None


def _cause(error: BaseException) -> BaseException | None:
    """The driver's exception under SQLAlchemy's wrapper, or error itself."""
    return error.orig if isinstance(error, DBAPIError) else error


def _detail(error: BaseException | None) -> dict | None:
    """pg8000's error fields (S severity, C SQLSTATE, M message …), if error is a server's."""
    if isinstance(error, pg8000.exceptions.DatabaseError) and error.args and isinstance(error.args[0], dict):
        return error.args[0]
    return None
