"""The admin processes run from the command line against the configured platform."""

import os
import subprocess
import sys

from runtime.run import free_port
from tests.conftest import ROOT, TEST_ENV
from tests.support import Forwarder


def admin(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "runtime.admin", *args],
        cwd=ROOT,
        env={**os.environ, **TEST_ENV},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_dlq_lists_each_consumers_dead_letter_queue():
    assert "receipts.project-read-model.dlq:" in admin("dlq")


def test_redrive_reports_what_it_put_back():
    assert "put back on receipts.project-read-model" in admin("redrive", "project-read-model")


def test_an_unknown_consumer_is_refused_clearly():
    result = subprocess.run(
        [sys.executable, "-m", "runtime.admin", "dlq", "nobody"],
        cwd=ROOT,
        env={**os.environ, **TEST_ENV},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "no queue-triggered function named 'nobody'" in result.stderr


def migrate(**env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "runtime.run", "migrate"],
        cwd=ROOT,
        env={**os.environ, **TEST_ENV, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_make_run_says_clearly_when_a_backing_service_stays_down():
    for variable, value, words in [
        ("AMQP_URL", "amqp://guest:guest@127.0.0.1:1/%2F", "RabbitMQ is not reachable"),
        ("WRITE_DATABASE_URL", "postgresql+pg8000://postgres@127.0.0.1:1/nowhere", "PostgreSQL is not reachable"),
    ]:
        process = migrate(**{variable: value, "STARTUP_WAIT_SECONDS": "1"})
        stdout, stderr = process.communicate(timeout=60)
        assert process.returncode == 1 and words in stderr
        assert '"backing_service.waiting"' in stdout  # it tried again before giving up


def test_migrate_waits_for_a_broker_that_comes_up_late():
    port = free_port()
    process = migrate(AMQP_URL=f"amqp://guest:guest@127.0.0.1:{port}/receipts-test")
    for line in process.stdout:
        if '"backing_service.waiting"' in line:
            break
    else:
        raise AssertionError(f"migrate did not wait for the broker: {process.stderr.read()}")
    assert '"RabbitMQ"' in line  # refused: it waits rather than exit
    broker = Forwarder(5672, port)
    try:
        stdout, stderr = process.communicate(timeout=60)
        assert process.returncode == 0, stderr
        assert '"topology.declared"' in stdout
    finally:
        broker.close()


def test_a_discarded_dead_letter_is_in_the_audit_trail(write_engine):
    import uuid

    import pika
    from sqlalchemy import text

    from shared.platform import bus

    event_id = str(uuid.uuid4())
    connection = bus.connect()
    try:
        connection.channel().basic_publish(
            "", "receipts.project-read-model.dlq", b"{}", pika.BasicProperties(message_id=event_id)
        )
    finally:
        connection.close()
    assert "1 dead letter(s) discarded" in admin("discard", "project-read-model", "--id", event_id)
    with write_engine.connect() as connection:
        entry = connection.execute(
            text("SELECT action, object_kind, actor_party_id, request_id FROM audit_entries WHERE object_id = :id"),
            {"id": event_id},
        ).one()
    assert tuple(entry) == ("dead_letter.discarded", "dead_letter", None, None)
