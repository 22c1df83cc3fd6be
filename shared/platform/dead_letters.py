"""Dead letters: list them with their reason, put them back on their consumer's queue, or
delete them for good."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pika
from pika.adapters.blocking_connection import BlockingChannel

from shared.platform import bus

ATTEMPT_HEADER = "x-receipts-attempt"  # deliveries so far: picks the next backoff delay
FAILURE_HEADER = "x-receipts-failures"  # failed deliveries: dead-lettered at the limit
REASON_HEADER = "x-receipts-reason"


@dataclass(frozen=True)
class DeadLetter:
    event_id: str
    type: str
    subject: str
    attempts: int
    reason: str


def _describe(properties: pika.BasicProperties, body: bytes) -> DeadLetter:
    headers = properties.headers or {}
    try:
        event = json.loads(body)
    except ValueError:
        event = {}
    reason = headers.get(REASON_HEADER)
    if not reason and headers.get("x-death"):
        # Dead-lettered by the broker itself (delivery limit reached, or rejected).
        reason = f"broker: {headers['x-death'][0].get('reason')}"
    return DeadLetter(
        event_id=properties.message_id or event.get("id", "?"),
        type=properties.type or event.get("type", "?"),
        subject=event.get("subject", "?"),
        attempts=int(headers.get(ATTEMPT_HEADER, 0)),
        reason=str(reason or "unknown"),
    )


@contextlib.contextmanager
def _dead_letter_queue(consumer: bus.Consumer, limit: int) -> Iterator[tuple[BlockingChannel, Iterable[tuple]]]:
    """A channel to the broker, and the consumer's dead letters read from it, unacknowledged:
    what the caller does not acknowledge returns to the queue when the connection closes."""
    connection = bus.connect()
    try:
        channel = connection.channel()
        consumer.declare(channel)
        channel.confirm_delivery()
        yield channel, bus.messages(channel, consumer.dead_letter_queue, limit)
    finally:
        connection.close()


def dead_letters(consumer: bus.Consumer, limit: int = 1000) -> list[DeadLetter]:
    """The consumer's dead letters, oldest first; they stay where they are."""
    with _dead_letter_queue(consumer, limit) as (_channel, letters):
        return [_describe(properties, body) for _, properties, body in letters]


def redrive(consumer: bus.Consumer, event_ids: set[str] | None = None, limit: int = 100_000) -> list[str]:
    """Move dead letters (all, or those with the given event ids) back to the consumer's
    queue with a fresh attempt count; returns their event ids. Each is acknowledged in the
    DLQ only after the broker confirmed its copy."""
    moved = []
    with _dead_letter_queue(consumer, limit) as (channel, letters):
        for method, properties, body in letters:
            if event_ids is not None and properties.message_id not in event_ids:
                continue
            headers = {
                key: value
                for key, value in (properties.headers or {}).items()
                if key
                not in (
                    ATTEMPT_HEADER,
                    FAILURE_HEADER,
                    REASON_HEADER,
                    "x-death",
                    "x-first-death-exchange",
                    "x-first-death-queue",
                    "x-first-death-reason",
                )
            }
            channel.basic_publish("", consumer.queue, body, bus.with_headers(properties, headers))
            channel.basic_ack(method.delivery_tag)
            moved.append(properties.message_id)
    return moved


def discard(consumer: bus.Consumer, event_ids: set[str], limit: int = 100_000) -> list[str]:
    """Delete the dead letters with the given event ids, for good (an event no fix can make
    acceptable, once the operator has read it); returns those found. The rest stay."""
    discarded = []
    with _dead_letter_queue(consumer, limit) as (channel, letters):
        for method, properties, _body in letters:
            if properties.message_id in event_ids:
                channel.basic_ack(method.delivery_tag)
                discarded.append(properties.message_id)
    return discarded
