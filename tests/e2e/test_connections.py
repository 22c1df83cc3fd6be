"""Refused and terminated database connections while pairs flow (SPEC §8).

The platform connects to PostgreSQL as an ordinary role: connection limits do not apply
to superusers, and production does not run as one. While pairs flow, the role is refused
new connections and its backends are terminated for a few seconds.
"""

from __future__ import annotations

import threading

import pytest
import requests

from shared.platform import bus
from tests.e2e.conftest import wait_ready
from tests.e2e.pairs import ROLE, Flow, admin, drop_databases, own_platform
from tests.support import wait_until

CONSUMERS = ("match", "deliver-callbacks")
REFUSAL_SECONDS = 5


@pytest.fixture(scope="module")
def faulty(request):
    admin(f"DROP ROLE IF EXISTS {ROLE}")
    admin(f"CREATE ROLE {ROLE} LOGIN CREATEDB")
    platform = own_platform("faults", ROLE)
    try:
        # While it starts, the quiet platform starts too, and begins idling: its test runs later.
        request.getfixturevalue("quiet_platform")
        yield Flow(wait_ready(platform))
    finally:
        if platform.process.poll() is None:
            platform.stop()
        drop_databases("faults")
        admin(f"DROP ROLE IF EXISTS {ROLE}")


def dead_letters(vhost: str) -> dict[str, int]:
    connection = bus.connect(f"amqp://guest:guest@127.0.0.1:5672/{vhost}")
    try:
        channel = connection.channel()
        return {
            name: channel.queue_declare(f"receipts.{name}.dlq", passive=True).method.message_count for name in CONSUMERS
        }
    finally:
        connection.close()


def test_refused_and_terminated_database_connections_dead_letter_nothing_and_answer_no_500(faulty):
    flow = faulty
    flowing = threading.Event()
    stop = threading.Event()

    def client():
        with requests.Session() as http:
            while not stop.is_set():
                flow.pair(http)
                flowing.set()

    clients = [threading.Thread(target=client) for _ in range(4)]
    for thread in clients:
        thread.start()
    try:
        assert flowing.wait(timeout=30), "no pair went through before the fault"
        admin(f"ALTER ROLE {ROLE} CONNECTION LIMIT 0")
        try:
            admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{ROLE}'")
            # The fault lasts this long: a fixed time is the scenario, not a wait for a condition.
            stop.wait(REFUSAL_SECONDS)
            refused = flow.statuses[503]
        finally:
            admin(f"ALTER ROLE {ROLE} CONNECTION LIMIT -1")
        sent = len(flow.expected)
        wait_until(lambda: len(flow.expected) >= sent + 10, timeout=60, message="pairs flowing again")
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=60)

    wait_until(lambda: flow.called_back() == flow.expected, timeout=90, interval=0.2, message="every pair called back")
    assert refused > 0, "the fault was not felt: nothing was refused"
    assert set(flow.statuses) <= {200, 201, 503}, flow.statuses
    assert dead_letters("receipts-faults") == {name: 0 for name in CONSUMERS}
    log = flow.platform.log_text()
    assert '"backing_service.unavailable"' in log and '"event.poison"' not in log and '"event.dead_lettered"' not in log
