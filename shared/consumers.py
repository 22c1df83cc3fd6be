"""CloudEvent functions: the adapter between a trigger's delivery and a domain handler.

The queue trigger reads the HTTP status: 2xx acknowledges the event, 400 dead-letters it
at once (no retry can help), anything else is retried with backoff and dead-lettered when
the attempts run out.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import BadRequest, ServiceUnavailable

from shared import logs
from shared.errors import DeliveryPending, PoisonEvent

_log = logs.get("consumer")


# Lost races, not bad data: a concurrent writer took the row first, a deadlock was broken,
# a serializable transaction conflicted, a lock was not free. The next attempt sees the
# outcome and decides again.
_RETRYABLE = {"23505", "40P01", "40001", "55P03"}


def _sqlstate(error: DBAPIError) -> str | None:
    detail = error.orig.args[0] if error.orig is not None and error.orig.args else None
    return detail.get("C") if isinstance(detail, dict) else None


def as_dict(cloud_event) -> dict:
    """The parts of a CloudEvent a handler reads, as plain data."""
    return {
        "id": cloud_event["id"],
        "type": cloud_event["type"],
        "subject": cloud_event.get("subject"),
        "time": cloud_event.get("time"),
        "data": cloud_event.data if isinstance(cloud_event.data, dict) else {},
    }


def consumer(handler: Callable[[dict], None]) -> Callable:
    """Wrap a handler of event dicts as a functions-framework CloudEvent function."""

    @functools.wraps(handler)
    def consume(cloud_event) -> None:
        event = as_dict(cloud_event)
        try:
            handler(event)
        except DeliveryPending as error:
            logs.event(_log, "event.pending", logging.INFO, id=event["id"], reason=error.message)
            raise ServiceUnavailable(error.message) from None
        except PoisonEvent as error:
            logs.event(_log, "event.poison", logging.ERROR, id=event["id"], type=event["type"], reason=error.message)
            raise BadRequest(error.message) from None
        except DBAPIError as error:
            if isinstance(error, (OperationalError, InterfaceError)) or _sqlstate(error) in _RETRYABLE:
                logs.event(_log, "event.deferred", logging.WARNING, id=event["id"], error=type(error).__name__,
                           sqlstate=_sqlstate(error))
                raise ServiceUnavailable("a backing service is unavailable or busy; retry") from None
            # Not a lost connection: the database refused this event's data, and will again.
            logs.event(_log, "event.poison", logging.ERROR, id=event["id"], type=event["type"],
                       reason=type(error.orig).__name__)
            raise BadRequest("the database refused the event") from None

    return consume
