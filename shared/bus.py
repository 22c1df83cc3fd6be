"""RabbitMQ: the event exchange, consumer topology and a confirming publisher (SPEC §7).

Events travel as CloudEvents 1.0 in structured mode (one JSON document), persistent, on a
durable topic exchange, routed by their type. Each consumer has a quorum queue bound by
type patterns, delay queues for retries with backoff, and a dead-letter queue. Every
declaration is idempotent, so whoever starts first declares and the rest agree.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel

from shared.config import settings
from shared.events import Event

# pika logs every returned (unroutable) message with a prefix of its body; the outbox
# keeps such events and says so itself.
logging.getLogger("pika").setLevel(logging.ERROR)

EXCHANGE = "receipts.events"
DEAD_LETTER_EXCHANGE = "receipts.dead-letter"
SOURCE = "urn:receipts:write-model"
CONTENT_TYPE = "application/cloudevents+json"
# Redeliveries of one message before the broker dead-letters it: the bound for a message
# that crashes its consumer before the trigger can count the attempt itself.
DELIVERY_LIMIT = 10


def cloud_event(event: Event) -> dict:
    """The structured-mode CloudEvent of a domain event."""
    return envelope(event.id, event.type, event.subject, event.occurred_at, event.data)


def envelope(event_id, event_type: str, subject, occurred_at: datetime | str, data: dict) -> dict:
    return {
        "specversion": "1.0",
        "id": str(event_id),
        "source": SOURCE,
        "type": event_type,
        "subject": str(subject),
        "time": occurred_at if isinstance(occurred_at, str) else occurred_at.isoformat(),
        "datacontenttype": "application/json",
        "data": data,
    }


def connect(url: str | None = None) -> pika.BlockingConnection:
    parameters = pika.URLParameters(url or settings().amqp_url)
    parameters.connection_attempts = 1
    parameters.socket_timeout = 5
    parameters.blocked_connection_timeout = 30
    return pika.BlockingConnection(parameters)


def declare_exchanges(channel: BlockingChannel) -> None:
    channel.exchange_declare(EXCHANGE, "topic", durable=True)
    channel.exchange_declare(DEAD_LETTER_EXCHANGE, "direct", durable=True)


@dataclass(frozen=True)
class Consumer:
    """A consumer's queues: <name> itself, <name>.retry.<ms> delays, <name>.dlq."""

    name: str
    topics: tuple[str, ...]
    retry_delays_ms: tuple[int, ...] = (1000, 2000, 4000, 8000, 16000)

    @property
    def queue(self) -> str:
        return f"receipts.{self.name}"

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.queue}.dlq"

    def retry_queue(self, attempt: int) -> str:
        """The delay queue for the attempt-th retry (1-based)."""
        return f"{self.queue}.retry.{self.retry_delays_ms[attempt - 1]}ms"

    @property
    def max_attempts(self) -> int:
        return len(self.retry_delays_ms) + 1

    def declare(self, channel: BlockingChannel) -> None:
        declare_exchanges(channel)
        channel.queue_declare(
            self.queue,
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-delivery-limit": DELIVERY_LIMIT,
                "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
                "x-dead-letter-routing-key": self.name,
            },
        )
        for topic in self.topics:
            channel.queue_bind(self.queue, EXCHANGE, routing_key=topic)
        channel.queue_declare(self.dead_letter_queue, durable=True, arguments={"x-queue-type": "quorum"})
        channel.queue_bind(self.dead_letter_queue, DEAD_LETTER_EXCHANGE, routing_key=self.name)
        for delay in sorted(set(self.retry_delays_ms)):
            # A delay queue holds a message for its TTL, then dead-letters it straight
            # back into the consumer's queue through the default exchange.
            channel.queue_declare(
                f"{self.queue}.retry.{delay}ms",
                durable=True,
                arguments={
                    "x-queue-type": "quorum",
                    "x-message-ttl": delay,
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": self.queue,
                    "x-dead-letter-strategy": "at-least-once",
                    "x-overflow": "reject-publish",
                },
            )


def properties(event: dict, headers: dict | None = None) -> pika.BasicProperties:
    return pika.BasicProperties(
        content_type=CONTENT_TYPE,
        delivery_mode=pika.DeliveryMode.Persistent,
        message_id=event["id"],
        type=event["type"],
        headers=headers or {},
    )


def with_headers(properties: pika.BasicProperties, headers: dict) -> pika.BasicProperties:
    """A message's properties, persistent, with new headers (for retry, dead-letter and
    redrive copies of a delivered message)."""
    return pika.BasicProperties(
        content_type=properties.content_type,
        delivery_mode=pika.DeliveryMode.Persistent,
        message_id=properties.message_id,
        type=properties.type,
        headers=headers,
    )


class Publisher:
    """Publishes events with publisher confirms, one connection per thread.

    pika connections are not thread-safe, and functions-framework serves on a pool of
    threads: each thread keeps its own connection, opened on first use.
    """

    def __init__(self):
        self._local = threading.local()

    def _channel(self) -> BlockingChannel:
        channel = getattr(self._local, "channel", None)
        if channel is None or channel.is_closed:
            connection = connect()
            channel = connection.channel()
            channel.confirm_delivery()
            declare_exchanges(channel)
            self._local.connection, self._local.channel = connection, channel
        return channel

    def publish(self, event: dict) -> bool:
        """Publish one event and wait for the broker's confirm.

        Returns False if no queue took it (nothing is bound for its type: it stays in the
        outbox until something is); raises if the broker could not be reached.
        """
        try:
            self._channel().basic_publish(
                EXCHANGE, event["type"], json.dumps(event).encode(), properties(event), mandatory=True
            )
            return True
        except pika.exceptions.UnroutableError:
            return False
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = self._local.channel = None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except Exception:  # closing a broken connection has nothing left to save
                pass


def publish_many(events: list[dict], timeout_seconds: float = 30.0) -> set[str]:
    """Publish a batch with its confirms in flight; returns the ids the broker took.

    A blocking confirm per message caps publishing near 1k/s; with the whole batch in
    flight the broker confirms several thousand a second (STACK-FACTS). An id is left out
    when its message came back unroutable or was nacked, or the broker did not confirm it
    in time: the outbox keeps it and the relay tries again. Raises if the broker could not
    be reached.
    """
    if not events:
        return set()
    awaiting: dict[int, str] = {}
    taken: set[str] = set()
    returned: set[str] = set()
    failure: list[BaseException] = []

    def on_open(connection):
        connection.channel(on_open_callback=on_channel)

    def on_channel(channel):
        channel.add_on_return_callback(lambda _channel, _method, props, _body: returned.add(props.message_id))
        channel.add_on_close_callback(lambda _channel, _reason: broker.is_open and broker.close())
        channel.confirm_delivery(on_confirm, callback=lambda _frame: send(channel))

    def send(channel):
        for tag, event in enumerate(events, start=1):
            awaiting[tag] = event["id"]
            channel.basic_publish(EXCHANGE, event["type"], json.dumps(event).encode(), properties(event),
                                  mandatory=True)

    def on_confirm(frame):
        method = frame.method
        tags = [tag for tag in awaiting if tag <= method.delivery_tag] if method.multiple else [method.delivery_tag]
        for tag in tags:
            event_id = awaiting.pop(tag, None)
            # The broker sends a message's return before its ack.
            if isinstance(method, pika.spec.Basic.Ack) and event_id not in returned:
                taken.add(event_id)
        if not awaiting:
            broker.close()

    parameters = pika.URLParameters(settings().amqp_url)
    parameters.connection_attempts = 1
    parameters.socket_timeout = 5
    broker = pika.SelectConnection(
        parameters,
        on_open_callback=on_open,
        on_open_error_callback=lambda connection, error: (failure.append(error), connection.ioloop.stop()),
        on_close_callback=lambda connection, _reason: connection.ioloop.stop(),
    )
    broker.ioloop.call_later(timeout_seconds, lambda: broker.is_open and broker.close())
    broker.ioloop.start()
    if failure:
        raise pika.exceptions.AMQPConnectionError(failure[0])
    return taken


_publisher = Publisher()


def publisher() -> Publisher:
    return _publisher


def messages(channel: BlockingChannel, queue: str, limit: int) -> Iterable[tuple]:
    """Up to limit messages from queue, unacknowledged (for admin tools and tests)."""
    for _ in range(limit):
        method, props, body = channel.basic_get(queue)
        if method is None:
            return
        yield method, props, body
