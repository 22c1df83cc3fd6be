"""RabbitMQ: the event exchange, consumer topology and a confirming publisher (SPEC §7).

Events travel as CloudEvents 1.0 in structured mode (one JSON document), persistent, on a
durable topic exchange, routed by their type. Each consumer has a quorum queue bound by
type patterns, delay queues for retries with backoff, and a dead-letter queue. Every
declaration is idempotent, so whoever starts first declares and the rest agree.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel

from shared.domain.events import Event
from shared.platform import faults
from shared.platform.config import settings

# pika logs every returned (unroutable) message with a prefix of its body; the outbox
# keeps such events and says so itself.
logging.getLogger("pika").setLevel(logging.ERROR)

EXCHANGE = "receipts.events"
DEAD_LETTER_EXCHANGE = "receipts.dead-letter"
SOURCE = "urn:receipts:write-model"
CONTENT_TYPE = "application/cloudevents+json"
BATCH_CONTENT_TYPE = "application/cloudevents-batch+json"  # several events in one request
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

    def retry_delay_ms(self, attempt: int) -> int:
        """The delay before the attempt-th retry (1-based); the last one from there on."""
        return self.retry_delays_ms[min(attempt, len(self.retry_delays_ms)) - 1]

    def retry_queue(self, attempt: int) -> str:
        """The delay queue for the attempt-th retry (1-based)."""
        return f"{self.queue}.retry.{self.retry_delay_ms(attempt)}ms"

    @property
    def max_attempts(self) -> int:
        """Failed attempts before an event is dead-lettered (waits on an unavailable
        backing service or receiver do not count)."""
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


@dataclass(eq=False)
class _Publication:
    """One event handed to the publisher, until the broker confirms it."""

    event: dict
    done: threading.Event | None = None  # set once settled, for a caller that waits (publish)
    on_routed: Callable[[str], None] | None = None  # for one that does not (send): the id, once routed
    routed: bool = False
    returned: bool = False
    error: BaseException | None = None
    abandoned: bool = False  # its caller stopped waiting: the outbox relay sends it

    def settle(self, routed: bool = False, error: BaseException | None = None) -> None:
        self.routed, self.error = routed, error
        if self.done is not None:
            self.done.set()
        if self.on_routed is not None and routed and error is None:
            self.on_routed(self.event["id"])


class Publisher:
    """Publishes events with publisher confirms over one broker connection per process.

    The connection lives in its own I/O thread, which answers the broker's heartbeats
    while the process is idle (a BlockingConnection only does so inside a call, so an idle
    one is dropped and the next publish fails). Every serving thread hands its events to
    it and waits for their confirms; many can be in flight at once. A lost connection is
    replaced at once, and events it took unconfirmed are sent again on the new one
    (consumers dedupe). Only while the broker cannot be reached at all do publishes fail
    at once, leaving their events to the outbox relay.
    """

    CONNECT_PAUSE_MAX = 5.0

    def __init__(self, url: str | None = None):
        self._url = url
        self._lock = threading.Lock()
        self._pid = 0
        self._thread: threading.Thread | None = None
        self._waiting: deque[_Publication] = deque()
        self._unconfirmed: dict[int, _Publication] = {}
        self._connection: pika.SelectConnection | None = None
        self._channel = None
        self._sent = 0
        self._was_ready = False
        self._unreachable: BaseException | None = None  # set while waiting to reconnect

    def publish(self, events: list[dict], timeout: float = 5.0) -> set[str]:
        """Publish events and wait for the broker's confirms; returns the ids it routed.

        An event no queue took (nothing bound for its type) is left out: it stays in the
        outbox until something is bound. Raises if the broker cannot be reached or does not
        confirm within timeout.
        """
        if not events:
            return set()
        publications = [_Publication(event, done=threading.Event()) for event in events]
        self._hand_over(publications)
        deadline = time.monotonic() + timeout
        for publication in publications:
            assert publication.done is not None  # given each above
            if not publication.done.wait(max(deadline - time.monotonic(), 0)):
                for late in publications:
                    late.abandoned = True
                raise TimeoutError("the broker did not confirm in time")
            if publication.error is not None:
                raise publication.error
        return {publication.event["id"] for publication in publications if publication.routed}

    def send(self, events: list[dict], on_routed: Callable[[str], None]) -> None:
        """Hand events over for publishing without waiting for the broker: on_routed(id)
        is called (in the I/O thread) for each one the broker confirms and routed. Raises
        only if the broker cannot be reached now; events it never confirms are left to
        the caller's fallback (the outbox relay)."""
        self._hand_over([_Publication(event, on_routed=on_routed) for event in events])

    def _hand_over(self, publications: list[_Publication]) -> None:
        with self._lock:
            self._start()
            if self._unreachable is not None:
                raise pika.exceptions.AMQPConnectionError(self._unreachable)
            self._waiting.extend(publications)
            connection = self._connection
        if connection is not None:
            self._wake(connection)

    def _start(self) -> None:
        if self._pid != os.getpid():  # first use, or a forked child: nothing of the parent's is ours
            self._pid, self._thread, self._connection, self._channel = os.getpid(), None, None, None
            self._waiting.clear()
            self._unconfirmed.clear()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="publisher", daemon=True)
            self._thread.start()

    def _wake(self, connection) -> None:
        try:
            connection.ioloop.add_callback_threadsafe(self._send_waiting)
        except Exception:  # the loop is closing: the next connection sends what waits
            pass

    # Everything below runs in the I/O thread.

    def _run(self) -> None:
        pause = 0.1
        while True:
            error = self._serve_connection()
            if error is None:
                pause = 0.1  # it was open and got lost: replace it at once
                continue
            with self._lock:
                self._unreachable = error
                failed, self._waiting = list(self._waiting), deque()
            for publication in failed:
                publication.settle(error=pika.exceptions.AMQPConnectionError(error))
            time.sleep(pause)
            pause = min(pause * 2, self.CONNECT_PAUSE_MAX)
            with self._lock:
                self._unreachable = None

    def _serve_connection(self) -> BaseException | None:
        """Open a connection and serve it until it closes: None if it was ready to
        publish, else why it never was (refused, or closed while setting up)."""
        parameters = pika.URLParameters(self._url or settings().amqp_url)
        parameters.connection_attempts = 1
        parameters.socket_timeout = 5
        parameters.blocked_connection_timeout = 30
        failure: list[BaseException] = []

        def refused(failed: pika.SelectConnection, error: BaseException) -> None:
            failure.append(error)
            failed.ioloop.stop()

        connection = pika.SelectConnection(
            parameters,
            on_open_callback=lambda opened: opened.channel(on_open_callback=self._on_channel),
            on_open_error_callback=refused,
            on_close_callback=lambda closed, _reason: closed.ioloop.stop(),
        )
        with self._lock:
            self._connection = connection
        self._was_ready = False
        try:
            connection.ioloop.start()
        finally:
            with self._lock:
                self._connection, self._channel = None, None
                # Sent but not confirmed: the broker may or may not have them. Send again.
                unconfirmed = [self._unconfirmed[tag] for tag in sorted(self._unconfirmed)]
                self._unconfirmed.clear()
                self._waiting.extendleft(reversed([p for p in unconfirmed if not p.abandoned]))
        if failure:
            return failure[0]
        return None if self._was_ready else pika.exceptions.ConnectionClosed(0, "closed before it was ready")

    def _on_channel(self, channel) -> None:
        channel.add_on_return_callback(self._on_return)
        channel.add_on_close_callback(lambda _channel, _reason: self._close_connection())
        channel.confirm_delivery(
            self._on_confirm,
            callback=lambda _frame: channel.exchange_declare(
                EXCHANGE, "topic", durable=True, callback=lambda _frame: self._ready(channel)
            ),
        )

    def _ready(self, channel) -> None:
        self._channel, self._sent, self._was_ready = channel, 0, True
        self._send_waiting()

    def _close_connection(self) -> None:
        connection = self._connection
        if connection is not None and connection.is_open:
            connection.close()

    def _send_waiting(self) -> None:
        channel = self._channel
        while channel is not None and channel.is_open:
            with self._lock:
                if not self._waiting:
                    return
                publication = self._waiting.popleft()
            if publication.abandoned:
                continue
            self._sent += 1
            self._unconfirmed[self._sent] = publication
            event = publication.event
            channel.basic_publish(
                EXCHANGE, event["type"], json.dumps(event).encode(), properties(event), mandatory=True
            )

    def _on_return(self, _channel, _method, props, _body) -> None:
        # The broker sends an unroutable message's return before its ack.
        for publication in self._unconfirmed.values():
            if publication.event["id"] == props.message_id:
                publication.returned = True

    def _on_confirm(self, frame) -> None:
        method = frame.method
        tags = (
            [tag for tag in self._unconfirmed if tag <= method.delivery_tag]
            if method.multiple
            else [method.delivery_tag]
        )
        for tag in tags:
            publication = self._unconfirmed.pop(tag, None)
            if publication is None:
                continue
            if isinstance(method, pika.spec.Basic.Ack):
                publication.settle(routed=not publication.returned)
            else:
                publication.settle(error=pika.exceptions.NackError([]))


_publisher = Publisher()


def publisher() -> Publisher:
    return _publisher


class QueueDepths:
    """The ready messages of some queues, read on one kept connection: a scrape every few
    seconds would otherwise pay for a connection each time (about 20 ms). A queue not
    declared yet is left out; a connection the broker dropped meanwhile is made again once."""

    def __init__(self, queues: Iterable[str]):
        self.queues = tuple(queues)
        self._lock = threading.Lock()
        self._connection: pika.BlockingConnection | None = None

    def __call__(self) -> dict[str, int]:
        with self._lock:
            try:
                return self._read()
            except Exception as error:
                if not faults.retryable(error):
                    raise
                self._close()
            return self._read()

    def _read(self) -> dict[str, int]:
        if self._connection is None or self._connection.is_closed:
            self._connection = connect()
        channel = self._connection.channel()
        depths = {}
        try:
            for queue in self.queues:
                try:
                    depths[queue] = channel.queue_declare(queue, passive=True).method.message_count
                except pika.exceptions.ChannelClosedByBroker as error:
                    if error.reply_code != 404:
                        raise
                    channel = self._connection.channel()  # a refusal closes the channel
        finally:
            if channel.is_open:
                channel.close()
        return depths

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except (pika.exceptions.AMQPError, OSError):
                pass


def messages(channel: BlockingChannel, queue: str, limit: int) -> Iterable[tuple]:
    """Up to limit messages from queue, unacknowledged (for admin tools and tests)."""
    for _ in range(limit):
        method, props, body = channel.basic_get(queue)
        if method is None:
            return
        yield method, props, body
