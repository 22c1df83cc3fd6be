"""Queue trigger: feeds one consumer's RabbitMQ queue to its CloudEvent function over HTTP.

The local counterpart of an OpenFaaS connector (or Knative's RabbitMQ source): it holds no
business logic. Each message is POSTed to the function as a structured CloudEvent:

    2xx           acknowledged
    400           dead-lettered at once (the function says no retry can help)
    503           retried after a delay (1 s, 2 s, 4 s … by default, then the last delay)
                  for as long as it lasts: a backing service or receiver is unavailable,
                  which says nothing about the event (SPEC §8); so is a function that
                  cannot be reached at all
    other, error  retried after a delay, then dead-lettered when the attempts run out

Settling happens only after the broker confirmed any retry or dead-letter copy, so a crash
at any point redelivers rather than loses. Scaling a consumer = more trigger + function
pairs on the same queue.

    python -m runtime.queue_trigger project-read-model --url http://127.0.0.1:8081/
"""

from __future__ import annotations

import argparse
import collections
import functools
import json
import logging
import queue
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pika
import pika.exceptions

from runtime import stack
from shared.platform import bus, logs, outbound
from shared.platform.dead_letters import ATTEMPT_HEADER, FAILURE_HEADER, REASON_HEADER

_log = logs.get("queue_trigger")


class Invoker:
    """POSTs CloudEvents to the function on kept-alive connections (shared.platform.outbound).

    While the function cannot be reached at all (restarting, or not yet up), a delivery
    waits for it, up to `patience` seconds: the workers stall, the prefetch window fills
    and consumption pauses, instead of running the whole queue through the retry delays.
    A function that was reached and failed is a failure of that event.
    """

    def __init__(self, url: str, timeout: float, patience: float = 30.0):
        self.url = url
        self.timeout = timeout
        self.patience = patience

    def __call__(self, body: bytes, topic: str) -> tuple[str, str]:
        """("ack" | "wait" | "retry" | "dead", reason)."""
        # As a RabbitMQ connector calls a function: the body as published, its topic.
        status, text = self._patiently(body, {"Content-Type": bus.CONTENT_TYPE, "X-Topic": topic})
        return (status, text) if isinstance(status, str) else _outcome(status, f"function answered {status}: {text}")

    def many(self, deliveries: list[tuple[bytes, str]]) -> list[tuple[str, str]]:
        """The outcome of each (body, topic), several events to a request (CloudEvents'
        batched mode). A function that does not take batches gets them one by one."""
        body = b"[" + b",".join(body for body, _topic in deliveries) + b"]"
        status, text = self._patiently(body, {"Content-Type": bus.BATCH_CONTENT_TYPE}, whole=True)
        if isinstance(status, str):
            return [(status, text)] * len(deliveries)  # not reached, or no answer
        if status == 200:
            try:
                results = json.loads(text)["results"]  # in the batch's order, one per event
                if len(results) == len(deliveries):
                    return [
                        _outcome(
                            result["status"], f"function answered {result['status']} for the event: {result['message']}"
                        )
                        for result in results
                    ]
            except (ValueError, KeyError, TypeError):
                pass
        return [self(body, topic) for body, topic in deliveries]

    def _patiently(self, body: bytes, headers: dict, whole: bool = False):
        """(status, text) of the function's answer, or ("wait" | "retry", reason) if it
        could not be reached in `patience` seconds or failed to answer."""
        deadline = time.monotonic() + self.patience
        pause = 0.05
        while True:
            try:
                response = outbound.post(self.url, body, headers, self.timeout)
            except outbound.UNREACHABLE as error:
                # Refused, or its name not resolving: the function (or its container) is
                # being started again.
                if time.monotonic() + pause > deadline:
                    return "wait", f"function unreachable: {type(error).__name__}"
                time.sleep(pause)
                pause = min(pause * 2, 1.0)
            except outbound.FAILED as error:
                return "retry", f"function failed to answer: {type(error).__name__}"
            else:
                answer = response.body if whole else response.body[:500]
                return response.status, answer.decode("utf-8", "replace")


def _outcome(status: int, reason: str) -> tuple[str, str]:
    if 200 <= status < 300:
        return "ack", ""
    return {400: "dead", 503: "wait"}.get(status, "retry"), reason[:250]


class QueueTrigger:
    def __init__(
        self,
        consumer: bus.Consumer,
        invoke,
        concurrency: int = 8,
        amqp_url: str | None = None,
        batch: int = 1,
        linger_ms: int = 0,
    ):
        self.consumer = consumer
        self.invoke = invoke
        self.concurrency = concurrency
        # Events waiting when a worker is free go to the function together, up to this many
        # (invoke.many): one request per batch under load, one per event when it is light.
        self.batch = batch
        # How long a batch waits for more events after its first (Kafka's linger.ms): for a
        # function that handles a batch in one transaction, a few milliseconds of latency
        # buy one request and one commit for several events instead of one each.
        self.linger = linger_ms / 1000
        self.amqp_url = amqp_url
        self.stopping = threading.Event()
        self.consuming = threading.Event()  # set once the queue is declared, bound and consumed
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix=consumer.name)
        self._in_flight = 0
        self._generation = 0
        # Delivery tags of the channel not acknowledged yet, in order, and those of them
        # settled: acknowledged together (multiple=True) up to the first still in flight.
        # Both are only touched on the connection's thread.
        self._unacked: collections.deque[int] = collections.deque()
        self._settled: set[int] = set()

    def stop(self, *_signal) -> None:
        self.stopping.set()

    def run(self) -> None:
        backoff = 0.5
        while not self.stopping.is_set():
            try:
                self._consume()
                backoff = 0.5
            except (pika.exceptions.AMQPError, OSError) as error:
                logs.event(
                    _log,
                    "trigger.disconnected",
                    logging.WARNING,
                    consumer=self.consumer.name,
                    error=type(error).__name__,
                    retry_in=backoff,
                )
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, 30.0)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _consume(self) -> None:
        connection = bus.connect(self.amqp_url)
        self._generation += 1
        generation = self._generation
        self._in_flight = 0
        self._unacked.clear()
        self._settled.clear()
        try:
            channel = connection.channel()
            self.consumer.declare(channel)
            channel.confirm_delivery()
            channel.basic_qos(prefetch_count=self.concurrency * self.batch)
            inbox: queue.SimpleQueue = queue.SimpleQueue()
            threading.Thread(
                target=self._dispatch,
                args=(connection, channel, generation, inbox),
                name=f"{self.consumer.name}-dispatch",
                daemon=True,
            ).start()

            def on_message(channel, method, properties, body):
                self._in_flight += 1
                self._unacked.append(method.delivery_tag)
                inbox.put((method.delivery_tag, properties, body))

            tag = channel.basic_consume(self.consumer.queue, on_message)
            self.consuming.set()
            logs.event(_log, "trigger.consuming", consumer=self.consumer.name, queue=self.consumer.queue)
            while not self.stopping.is_set():
                connection.process_data_events(time_limit=0.25)
            # Stop taking messages, let those in flight settle (a few seconds at most).
            channel.basic_cancel(tag)
            deadline = time.monotonic() + 4.0
            while self._in_flight and time.monotonic() < deadline:
                connection.process_data_events(time_limit=0.05)
        finally:
            self.consuming.clear()
            inbox.put(None)  # the dispatcher's end: messages of a closed channel are redelivered
            if connection.is_open:
                connection.close()

    def _dispatch(self, connection, channel, generation, inbox: queue.SimpleQueue) -> None:
        """Hand batches to free workers: what piled up while they were all busy, or what
        arrives within the linger after a batch's first event."""
        free = threading.Semaphore(self.concurrency)
        while True:
            free.acquire()
            first = inbox.get()
            if first is None:
                return
            taken = [first]
            deadline = time.monotonic() + self.linger
            while len(taken) < self.batch:
                try:
                    taken.append(
                        inbox.get(timeout=max(deadline - time.monotonic(), 0)) if self.linger else inbox.get_nowait()
                    )
                except queue.Empty:
                    break
                if taken[-1] is None:  # the channel closed while lingering: deliver these, then end
                    inbox.put(taken.pop())
                    break
            try:
                self._pool.submit(self._deliver, connection, channel, generation, taken, free)
            except RuntimeError:  # the trigger stopped: the broker redelivers these
                return

    def _deliver(self, connection, channel, generation, taken: list, free: threading.Semaphore) -> None:
        try:
            deliveries = [(body, properties.type or "") for _tag, properties, body in taken]
            outcomes = [self.invoke(*deliveries[0])] if len(taken) == 1 else self.invoke.many(deliveries)
            settled = [
                functools.partial(self._settle, channel, generation, delivery_tag, properties, body, outcome, reason)
                for (delivery_tag, properties, body), (outcome, reason) in zip(taken, outcomes)
            ]

            def settle_all():
                for settle in settled:
                    settle()
                self._acknowledge(channel, generation)

            try:  # one wake-up of the connection's thread for the whole batch
                connection.add_callback_threadsafe(settle_all)
            except Exception:  # the connection is gone: the broker redelivers the messages
                pass
        finally:
            free.release()

    def _settle(self, channel, generation, delivery_tag, properties, body, outcome, reason) -> None:
        self._in_flight -= 1
        if generation != self._generation or channel.is_closed:
            return
        headers = dict(properties.headers or {})
        attempt = int(headers.get(ATTEMPT_HEADER, 1))
        failures = int(headers.get(FAILURE_HEADER, 0)) + (outcome != "wait")
        if outcome == "wait" or (outcome == "retry" and failures < self.consumer.max_attempts):
            headers.update({ATTEMPT_HEADER: attempt + 1, FAILURE_HEADER: failures, REASON_HEADER: reason})
            channel.basic_publish("", self.consumer.retry_queue(attempt), body, bus.with_headers(properties, headers))
            logs.event(
                _log,
                "event.retry_scheduled",
                logging.WARNING,
                consumer=self.consumer.name,
                id=properties.message_id,
                attempt=attempt,
                delay_ms=self.consumer.retry_delay_ms(attempt),
                reason=reason,
            )
        elif outcome != "ack":
            headers.update({ATTEMPT_HEADER: attempt, FAILURE_HEADER: failures, REASON_HEADER: reason})
            channel.basic_publish(
                bus.DEAD_LETTER_EXCHANGE, self.consumer.name, body, bus.with_headers(properties, headers)
            )
            logs.event(
                _log,
                "event.dead_lettered",
                logging.ERROR,
                consumer=self.consumer.name,
                id=properties.message_id,
                attempts=attempt,
                reason=reason,
            )
        self._settled.add(delivery_tag)

    def _acknowledge(self, channel, generation) -> None:
        """Acknowledge every settled message up to the first one still in flight, in one
        frame: a message is acknowledged only once it (and any retry or dead-letter copy of
        it) is settled; one settled but not yet acknowledged when the trigger crashes is
        redelivered, as at-least-once allows."""
        if generation != self._generation or channel.is_closed:
            return
        last = None
        while self._unacked and self._unacked[0] in self._settled:
            last = self._unacked.popleft()
            self._settled.discard(last)
        if last is not None:
            channel.basic_ack(last, multiple=True)


def consumer_for(function: stack.Function, retry_delays_ms: tuple[int, ...] | None = None) -> bus.Consumer:
    topics = tuple(topic.strip() for topic in function.topic.split(",") if topic.strip())
    delays = retry_delays_ms or function.retry_delays_ms
    return bus.Consumer(function.name, topics, delays) if delays else bus.Consumer(function.name, topics)


def main() -> None:
    parser = argparse.ArgumentParser(description="Feed a consumer's queue to its CloudEvent function.")
    parser.add_argument("function", help="the function's name in template.yaml")
    parser.add_argument("--url", help="the function's URL (default: http://<function>:8080/)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--batch", type=int, default=16, help="most events in one request to the function")
    parser.add_argument(
        "--linger-ms", type=int, help="how long a batch waits for more events (default: the function's batch_linger)"
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the function")
    parser.add_argument("--retry-delays-ms", help="comma-separated delays before each retry, e.g. 1000,2000,4000")
    args = parser.parse_args()

    [function] = [function for function in stack.load() if function.name == args.function]
    delays = tuple(int(ms) for ms in args.retry_delays_ms.split(",")) if args.retry_delays_ms else None
    trigger = QueueTrigger(
        consumer_for(function, delays),
        Invoker(args.url or f"http://{function.name}:8080/", args.timeout),
        args.concurrency,
        batch=args.batch,
        linger_ms=function.batch_linger_ms if args.linger_ms is None else args.linger_ms,
    )
    signal.signal(signal.SIGTERM, trigger.stop)
    signal.signal(signal.SIGINT, trigger.stop)
    trigger.run()


if __name__ == "__main__":
    main()
