"""CloudEvent functions: the adapter between a trigger's delivery and a domain handler.

The queue trigger reads the HTTP status: 2xx acknowledges the event, 400 dead-letters it
at once (no retry can help), 503 is retried with backoff for as long as it lasts (a fault
of the surroundings, or work waiting on a receiver), anything else (a bug) is retried with
backoff and dead-lettered when the attempts run out.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import BadRequest, ServiceUnavailable

from shared.domain.errors import DeliveryPending, PoisonEvent
from shared.entrypoints import readiness
from shared.platform import faults, logs, metrics
from shared.platform.config import ConfigurationError

_log = logs.get("consumer")


def structured(event: dict) -> dict:
    """The parts of a structured-mode CloudEvent (parsed JSON) a handler reads."""
    return {
        "id": event["id"],
        "type": event["type"],
        "subject": event.get("subject"),
        "time": event.get("time"),
        "data": event["data"] if isinstance(event.get("data"), dict) else {},
    }


def as_dict(cloud_event) -> dict:
    """The parts of a CloudEvent (the SDK's object) a handler reads, as plain data."""
    return structured({**cloud_event.get_attributes(), "data": cloud_event.data})


# Each consumer's handling of a batch of events in one request, by function name
# (runtime/serve.py): each event's status, as a request of its own would have had.
BY_NAME: dict[str, Callable[[list[dict]], list[tuple[int, str]]]] = {}


def _pending(event: dict, error: DeliveryPending) -> tuple[int, str]:
    logs.event(_log, "event.pending", logging.INFO, id=event["id"], reason=error.message)
    return 503, error.message


def _outcome(handler: Callable[[dict], None], event: dict) -> tuple[int, str]:
    """The handler's outcome for one event as an HTTP status: 200 handled, 400 poison
    (dead-letter it), 503 retry later (a fault of the surroundings, or work pending)."""
    try:
        handler(event)
        return 200, ""
    except DeliveryPending as error:
        return _pending(event, error)
    except PoisonEvent as error:
        logs.event(_log, "event.poison", logging.ERROR, id=event["id"], type=event["type"], reason=error.message)
        return 400, error.message
    except ConfigurationError as error:
        # This process's fault, not the event's: retried until it is configured.
        logs.event(_log, "event.deferred", logging.ERROR, id=event["id"], error="ConfigurationError", reason=str(error))
        return 503, "the function is misconfigured; retry"
    except Exception as error:
        if faults.retryable(error):
            logs.event(
                _log,
                "event.deferred",
                logging.WARNING,
                id=event["id"],
                error=type(error).__name__,
                sqlstate=faults.sqlstate(error),
            )
            return 503, "a backing service is unavailable or busy; retry"
        if not isinstance(error, DBAPIError):
            raise  # a bug: retried, then dead-lettered when the attempts run out
        # The database refused this event's data, and will again.
        logs.event(
            _log,
            "event.poison",
            logging.ERROR,
            id=event["id"],
            type=event["type"],
            reason=type(error.orig).__name__,
            sqlstate=faults.sqlstate(error),
        )
        return 400, "the database refused the event"


def _alone(handler: Callable[[dict], None], event: dict) -> tuple[int, str]:
    """_outcome, with a bug in the handler a 500 of this event only (the batch goes on)."""
    try:
        return _outcome(handler, event)
    except Exception:
        _log.exception("event.failed", extra={"fields": {"id": event["id"], "type": event["type"]}})
        return 500, "the function failed on this event"


def consumer(
    handler: Callable[[dict], None] | None = None,
    *,
    together: Callable[[list[dict]], dict[str, DeliveryPending] | None] | None = None,
    needs: tuple[str, ...] = (),
) -> Callable:
    """Wrap a handler of event dicts as a functions-framework CloudEvent function.

    together, if given, handles a batch of events at once (one transaction for all, say),
    and may return the events still pending ({id: DeliveryPending}: retried later); if it
    fails, each event of the batch is handled alone, so that only what fails by itself fails.
    needs names the secrets it cannot work without (readiness). Use as
    @consumer or @consumer(together=..., needs=...).
    """
    if handler is None:
        return functools.partial(consumer, together=together, needs=needs)
    readiness.declare(handler.__name__, needs)
    name = handler.__name__.replace("_", "-")  # the function's name in template.yaml, as its queue's

    def handle(event: dict) -> tuple[int, str]:
        return _outcome(handler, event)

    def handle_alone(event: dict) -> tuple[int, str]:
        return _alone(handler, event)

    def handle_batch(batch: list[dict]) -> list[tuple[int, str]]:
        with metrics.consuming(name) as count:
            outcomes = handle_together(batch)
            for event, (status, _message) in zip(batch, outcomes):
                count(event["id"], status)
        return outcomes

    def handle_together(batch: list[dict]) -> list[tuple[int, str]]:
        if together is not None and len(batch) > 1:
            try:
                waiting = together(batch) or {}  # events whose work is pending, by id: retried
                return [
                    _pending(event, waiting[event["id"]]) if event["id"] in waiting else (200, "") for event in batch
                ]
            except Exception:  # each event alone says which failed, and why
                metrics.forget_repeated()
        return [handle_alone(event) for event in batch]

    @functools.wraps(handler)
    def consume(cloud_event) -> None:
        event = as_dict(cloud_event)
        with metrics.consuming(name) as count:
            try:
                status, message = handle(event)
            except Exception:
                count(event["id"], 500)
                raise
            count(event["id"], status)
        if status == 503:
            raise ServiceUnavailable(message)
        if status == 400:
            raise BadRequest(message)

    BY_NAME[handler.__name__] = handle_batch
    return consume
