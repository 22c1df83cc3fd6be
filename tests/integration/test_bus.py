"""The event backbone on the real RabbitMQ: publish after commit, relay, trigger, DLQ."""

import json
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler

import pytest
from sqlalchemy import text

from runtime.queue_trigger import Invoker, QueueTrigger
from shared.platform import bus
from shared.platform.db import engine_for
from shared.platform.dead_letters import dead_letters, discard, redrive
from shared.write import outbox
from tests.conftest import TEST_ENV
from tests.support import Forwarder, QuietHandler, bearer, receipt_body, serve, wait_until


@pytest.fixture
def channel():
    connection = bus.connect()
    channel = connection.channel()
    bus.declare_exchanges(channel)
    yield channel
    connection.close()


def listen(channel, routing_key: str) -> str:
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queue, bus.EXCHANGE, routing_key=routing_key)
    return queue


def get_one(channel, queue):
    return wait_until(
        lambda: (lambda m: m if m[0] else None)(channel.basic_get(queue, auto_ack=True)),
        message=f"a message on {queue}",
    )


def published_at(write_engine, event_subject):
    with write_engine.connect() as connection:
        return connection.execute(
            text("SELECT published_at FROM outbox WHERE subject = :subject"), {"subject": event_subject}
        ).scalar_one()


def test_a_submission_is_published_as_a_persistent_cloudevent_after_commit(functions, merchant, write_engine, channel):
    queue = listen(channel, "receipts.receipt.submitted.v1")
    body = receipt_body()
    response = functions("submit_receipt").post("/", json=body, headers=bearer(merchant["api_key"]))
    receipt_id = response.json["id"]
    while True:
        method, properties, payload = get_one(channel, queue)
        event = json.loads(payload)
        if event["subject"] == receipt_id:
            break
    assert event["specversion"] == "1.0" and event["type"] == "receipts.receipt.submitted.v1"
    assert event["data"]["merchant_receipt_id"] == body["merchant_receipt_id"]
    assert properties.delivery_mode == 2 and properties.message_id == event["id"]
    assert properties.content_type == "application/cloudevents+json"
    wait_until(lambda: published_at(write_engine, receipt_id) is not None, message="the row marked published")


def test_a_batch_is_published_with_confirms_in_flight_and_unroutable_events_are_left_out(channel):
    routed_type, unrouted_type = f"test.batch.{uuid.uuid4().hex}.v1", f"test.nobody.{uuid.uuid4().hex}.v1"
    queue = listen(channel, routed_type)
    events = [
        bus.envelope(
            uuid.uuid4(),
            unrouted_type if n % 10 == 0 else routed_type,
            uuid.uuid4(),
            "2026-11-26T12:00:00+00:00",
            {"n": n},
        )
        for n in range(300)
    ]

    taken = bus.publisher().publish(events)

    assert taken == {event["id"] for event in events if event["type"] == routed_type}
    assert channel.queue_declare(queue, passive=True).method.message_count == 270


def test_one_connection_per_process_serves_every_thread_and_a_dropped_one_is_replaced_at_once(channel):
    event_type = f"test.publisher.{uuid.uuid4().hex}.v1"
    queue = listen(channel, event_type)
    broker = Forwarder(5672)
    publisher = bus.Publisher(f"amqp://guest:guest@127.0.0.1:{broker.port}/receipts-test")

    def event(n):
        return bus.envelope(uuid.uuid4(), event_type, uuid.uuid4(), "2026-11-26T12:00:00+00:00", {"n": n})

    with ThreadPoolExecutor(8) as pool:
        taken = set().union(*pool.map(lambda n: publisher.publish([event(n)]), range(80)))
    assert len(taken) == 80 and broker.accepted == 1

    broker.drop()  # no goodbye: the socket just ends
    after = event(80)
    assert publisher.publish([after]) == {after["id"]}  # on a new connection, not via the relay
    assert broker.accepted == 2
    assert channel.queue_declare(queue, passive=True).method.message_count == 81
    broker.close()


def test_marks_a_busy_pool_could_not_write_are_written_on_the_next_flush(
    functions, merchant, write_engine, monkeypatch
):
    """Every connection of the pool lent out: the published marks wait for the next flush
    instead of being dropped (which would make the relay publish the events again)."""
    monkeypatch.setattr(outbox, "publish_committed", lambda engine, events: None)
    response = functions("submit_receipt").post("/", json=receipt_body(), headers=bearer(merchant["api_key"]))
    receipt_id = response.json["id"]
    with write_engine.connect() as connection:
        event_id = connection.execute(
            text("SELECT id FROM outbox WHERE subject = :subject"), {"subject": receipt_id}
        ).scalar_one()
    engine = engine_for(TEST_ENV["WRITE_DATABASE_URL"], pool_size=1)
    engine.pool._timeout = 0.2  # not the 5 s a function waits for a connection
    marks = outbox._PublishedMarks()
    try:
        with engine.connect():  # the pool's only connection, lent out
            marks._pending[engine] = [str(event_id)]
            assert marks.flush() is False
        assert published_at(write_engine, receipt_id) is None
        assert marks.flush() is True
        assert published_at(write_engine, receipt_id) is not None
    finally:
        engine.dispose()


def test_a_crash_between_commit_and_publish_is_relayed(functions, merchant, write_engine, channel, monkeypatch):
    queue = listen(channel, "receipts.receipt.submitted.v1")
    monkeypatch.setattr(outbox, "publish_committed", lambda engine, events: None)
    response = functions("submit_receipt").post("/", json=receipt_body(), headers=bearer(merchant["api_key"]))
    receipt_id = response.json["id"]
    assert published_at(write_engine, receipt_id) is None
    assert channel.basic_get(queue, auto_ack=True)[0] is None

    monkeypatch.setattr(outbox, "RELAY_GRACE_SECONDS", 0.0)
    relay = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "urn:receipts:cron",
        "type": "receipts.schedule.fired.v1",
        "data": {},
    }
    answer = functions("relay_outbox").post("/", data=json.dumps(relay), content_type=bus.CONTENT_TYPE)
    assert answer.status_code == 200
    subjects = set()
    while receipt_id not in subjects:
        subjects.add(json.loads(get_one(channel, queue)[2])["subject"])
    assert published_at(write_engine, receipt_id) is not None  # the relay marks as it goes


class FakeFunction:
    """A real HTTP server standing in for a CloudEvent function: it answers by the event's
    data["behaviour"]: "ok" → 200, "reject" → 400, "fail" → 500, "flaky" → 500 twice, then 200,
    "unavailable" → 503 six times (more than the attempts a failure gets), then 200. It takes
    batches (CloudEvents' batched mode) as runtime.serve does, with each event's status."""

    def __init__(self):
        self.calls = Counter()
        self.acknowledged = []
        calls, acknowledged = self.calls, self.acknowledged

        batches = self.batches = []

        def answer(event) -> int:
            calls[event["id"]] += 1
            behaviour = event["data"]["behaviour"]
            status = {"ok": 200, "reject": 400, "fail": 500}.get(behaviour)
            if behaviour == "flaky":
                status = 500 if calls[event["id"]] <= 2 else 200
            if behaviour == "unavailable":
                status = 503 if calls[event["id"]] <= 6 else 200
            if status == 200:
                acknowledged.append(event["id"])
            return status

        class Handler(QuietHandler, BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.headers["Content-Type"] == "application/cloudevents-batch+json":
                    batches.append(len(body))
                    status, reply = (
                        200,
                        json.dumps(
                            {
                                "results": [
                                    {"id": event["id"], "status": answer(event), "message": "as asked"}
                                    for event in body
                                ]
                            }
                        ).encode(),
                    )
                else:
                    status, reply = answer(body), b"no"
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self.server = serve(Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"


@pytest.fixture
def pipeline(channel):
    """A consumer with its own queues, a real trigger, and a fake function behind it."""
    topic = f"test.{uuid.uuid4().hex[:8]}"
    consumer = bus.Consumer(f"test-{topic[5:]}", (f"{topic}.#",), retry_delays_ms=(30, 60, 90))
    function = FakeFunction()
    trigger = QueueTrigger(consumer, Invoker(function.url, timeout=5), concurrency=4)
    thread = threading.Thread(target=trigger.run, daemon=True)
    thread.start()
    assert trigger.consuming.wait(timeout=20), "the trigger did not start consuming"

    def send(behaviour: str) -> str:
        event = bus.envelope(
            uuid.uuid4(), f"{topic}.happened", uuid.uuid4(), "2026-11-26T12:00:00+00:00", {"behaviour": behaviour}
        )
        channel.basic_publish(bus.EXCHANGE, event["type"], json.dumps(event).encode(), bus.properties(event))
        return event["id"]

    yield consumer, function, send
    stop_and_delete(trigger, thread, function, consumer)


def stop_and_delete(trigger, thread, function, consumer) -> None:
    """Stop a test's trigger and fake function, and delete its consumer's queues."""
    trigger.stop()
    thread.join(timeout=10)
    function.server.shutdown()
    cleanup = bus.connect()
    for queue in [consumer.queue, consumer.dead_letter_queue, *{consumer.retry_queue(n) for n in (1, 2, 3)}]:
        cleanup.channel().queue_delete(queue)
    cleanup.close()


def test_a_2xx_acknowledges_the_event(pipeline):
    consumer, function, send = pipeline
    event_id = send("ok")
    wait_until(lambda: event_id in function.acknowledged)
    assert function.calls[event_id] == 1


def test_a_failing_event_is_retried_then_dead_lettered_while_later_events_flow(pipeline):
    consumer, function, send = pipeline
    poison = send("fail")
    later = [send("ok") for _ in range(20)]
    wait_until(lambda: all(event_id in function.acknowledged for event_id in later), message="later events")
    [letter] = wait_until(lambda: dead_letters(consumer), message="the dead letter")
    assert letter.event_id == poison
    assert function.calls[poison] == consumer.max_attempts == 4
    assert letter.attempts == 4 and "500" in letter.reason


def test_a_flaky_function_gets_the_event_after_retries(pipeline):
    consumer, function, send = pipeline
    event_id = send("flaky")
    wait_until(lambda: event_id in function.acknowledged)
    assert function.calls[event_id] == 3
    assert dead_letters(consumer) == []


def test_a_503_is_retried_for_as_long_as_it_lasts_never_dead_lettered(pipeline):
    consumer, function, send = pipeline
    event_id = send("unavailable")
    wait_until(lambda: event_id in function.acknowledged, message="the event handled once the 503s stopped")
    assert function.calls[event_id] == 7 > consumer.max_attempts
    assert dead_letters(consumer) == []


def test_a_400_is_dead_lettered_at_once(pipeline):
    consumer, function, send = pipeline
    event_id = send("reject")
    [letter] = wait_until(lambda: dead_letters(consumer), message="the dead letter")
    assert letter.event_id == event_id and letter.attempts == 1
    assert function.calls[event_id] == 1


def test_redrive_puts_a_dead_letter_back_on_its_queue(pipeline):
    consumer, function, send = pipeline
    event_id = send("reject")
    wait_until(lambda: dead_letters(consumer), message="the dead letter")
    assert len(redrive(consumer)) == 1
    wait_until(lambda: function.calls[event_id] == 2, message="the redriven delivery")
    [letter] = wait_until(lambda: dead_letters(consumer), message="the dead letter again")
    assert letter.event_id == event_id and letter.attempts == 1


def test_discard_deletes_only_the_dead_letters_named(pipeline):
    consumer, function, send = pipeline
    kept, discarded = send("reject"), send("reject")
    wait_until(lambda: len(dead_letters(consumer)) == 2, message="both dead letters")
    assert discard(consumer, {discarded, str(uuid.uuid4())}) == [discarded]
    assert [letter.event_id for letter in dead_letters(consumer)] == [kept]
    assert bus.QueueDepths([consumer.dead_letter_queue, "receipts.nobody"])() == {consumer.dead_letter_queue: 1}


def test_events_that_pile_up_go_in_batches_each_settled_by_its_own_status(channel):
    topic = f"test.{uuid.uuid4().hex[:8]}"
    consumer = bus.Consumer(f"test-{topic[5:]}", (f"{topic}.#",), retry_delays_ms=(30, 60, 90))
    consumer.declare(channel)
    function = FakeFunction()
    sent = {}
    for behaviour in ["ok"] * 30 + ["reject", "unavailable", "flaky"]:
        event = bus.envelope(
            uuid.uuid4(), f"{topic}.happened", uuid.uuid4(), "2026-11-26T12:00:00+00:00", {"behaviour": behaviour}
        )
        channel.basic_publish(bus.EXCHANGE, event["type"], json.dumps(event).encode(), bus.properties(event))
        sent[event["id"]] = behaviour
    trigger = QueueTrigger(consumer, Invoker(function.url, timeout=5), concurrency=2, batch=8)
    thread = threading.Thread(target=trigger.run, daemon=True)
    thread.start()
    try:
        handled = {event_id for event_id, behaviour in sent.items() if behaviour != "reject"}
        wait_until(lambda: handled <= set(function.acknowledged), message="every event but the rejected one")
        [letter] = wait_until(lambda: dead_letters(consumer), message="the rejected event dead-lettered")
        assert sent[letter.event_id] == "reject" and letter.attempts == 1
        assert max(function.batches) > 1, function.batches
        assert sorted(function.acknowledged) == sorted(handled)  # each once
        # Settled messages are acknowledged together, up to the first still in flight:
        # once the trigger stops, none is left for the broker to deliver again.
        trigger.stop()
        thread.join(timeout=10)
        assert channel.queue_declare(consumer.queue, passive=True).method.message_count == 0
    finally:
        stop_and_delete(trigger, thread, function, consumer)


def test_a_batch_lingers_for_events_that_arrive_just_after_its_first(channel):
    """Events arriving one by one to an idle trigger: with a linger they go to the
    function in one request, not one request each."""
    topic = f"test.{uuid.uuid4().hex[:8]}"
    consumer = bus.Consumer(f"test-{topic[5:]}", (f"{topic}.#",))
    consumer.declare(channel)
    function = FakeFunction()
    trigger = QueueTrigger(consumer, Invoker(function.url, timeout=5), concurrency=8, batch=16, linger_ms=500)
    thread = threading.Thread(target=trigger.run, daemon=True)
    thread.start()
    try:
        wait_until(trigger.consuming.is_set, message="the trigger consuming")
        sent = []
        for _ in range(5):
            event = bus.envelope(
                uuid.uuid4(), f"{topic}.happened", uuid.uuid4(), "2026-11-26T12:00:00+00:00", {"behaviour": "ok"}
            )
            channel.basic_publish(bus.EXCHANGE, event["type"], json.dumps(event).encode(), bus.properties(event))
            sent.append(event["id"])
        wait_until(lambda: set(sent) <= set(function.acknowledged), message="every event")
        assert function.batches == [5]
    finally:
        stop_and_delete(trigger, thread, function, consumer)
