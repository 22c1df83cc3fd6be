"""Connections that survive (SPEC §8, issue 10), on platforms started as `make run` starts
them, each with its own databases and broker vhost:

- "faulty" connects to PostgreSQL as an ordinary role (connection limits do not apply to
  superusers, and production does not run as one); while pairs flow, the role is refused
  new connections and its backends are terminated for a few seconds.
- "quiet" negotiates 5 s heartbeats with RabbitMQ, is warmed up, then left idle for 40 s
  while the other test runs: the broker drops any connection whose heartbeats went
  unanswered, without a goodbye.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter

import pg8000.native
import pytest
import requests

from shared import bus
from tests.conftest import recreate_vhost
from tests.e2e.conftest import launch_platform, wait_ready
from tests.integration.test_callbacks import Receiver
from tests.support import ADMIN_API_KEY, bearer, payment_body, random_pan, receipt_body, remember, wait_until

ROLE = "receipts_app"
FUNCTIONS = "create-merchant,create-bank,submit-receipt,submit-payment,match,deliver-callbacks,relay-outbox"
CONSUMERS = ("match", "deliver-callbacks")
IDLE_SECONDS = 40
REFUSAL_SECONDS = 8


def admin(sql: str):
    connection = pg8000.native.Connection(user="postgres", host="127.0.0.1", database="postgres")
    try:
        return connection.run(sql)
    finally:
        connection.close()


def databases(name: str, user: str) -> dict:
    base = f"postgresql+pg8000://{user}@127.0.0.1:5432/receipts"
    return {f"{model.upper()}_DATABASE_URL": f"{base}_{model}_{name}" for model in ("write", "read", "sim")}


def drop_databases(name: str) -> None:
    for model in ("write", "read", "sim"):
        admin(f"DROP DATABASE IF EXISTS receipts_{model}_{name} WITH (FORCE)")


class Flow:
    """Parties calling back to one receiver, and pairs sent the way a client would: a 503
    is tried again (it says Retry-After), anything else is the answer."""

    def __init__(self, platform):
        self.platform = platform
        self.receiver = Receiver()
        self.statuses: Counter[int] = Counter()
        self.expected: set[str] = set()  # the ids each callback names: payment (bank), receipt (merchant)
        self.http = requests.Session()
        self.parties = {}
        for kind in ("merchant", "bank"):
            response = self.http.post(f"{platform.url}/v1/admin/{kind}s", headers=bearer(ADMIN_API_KEY),
                                      json={"name": f"{kind} faults", "callback_url": f"{self.receiver.url}/{kind}"})
            assert response.status_code == 201, response.text
            self.parties[kind] = response.json()
            remember(self.parties[kind]["api_key"], self.parties[kind]["webhook_secret"])

    def send(self, path: str, body: dict, party: str, http: requests.Session) -> dict:
        while True:
            response = http.post(f"{self.platform.url}{path}", json=body, headers=bearer(self.parties[party]["api_key"]))
            self.statuses[response.status_code] += 1
            if response.status_code != 503:
                assert response.status_code in (200, 201), response.text
                return response.json()
            assert response.headers.get("Retry-After"), "a 503 without Retry-After"
            time.sleep(0.2)

    def pair(self, http: requests.Session | None = None) -> tuple[str, str]:
        http = http or self.http
        pan = random_pan()
        receipt = self.send("/v1/receipts", receipt_body(pan=pan), "merchant", http)
        payment = self.send("/v1/payments", payment_body(pan=pan), "bank", http)
        self.expected |= {receipt["id"], payment["id"]}
        return receipt["id"], payment["id"]

    def called_back(self) -> set[str]:
        ids = set()
        for path, _headers, body in list(self.receiver.delivered):
            data = json.loads(body)["data"]
            ids.add(data["payment_id"] if path == "/bank" else data["receipt_id"])
        return ids


@pytest.fixture(scope="module")
def platforms():
    admin(f"DROP ROLE IF EXISTS {ROLE}")
    for name in ("faults", "idle"):
        drop_databases(name)
        recreate_vhost(f"receipts-{name}")
    admin(f"DROP ROLE IF EXISTS {ROLE}")
    admin(f"CREATE ROLE {ROLE} LOGIN CREATEDB")
    started = {
        "faulty": launch_platform("platform-faults", FUNCTIONS=FUNCTIONS, **databases("faults", ROLE),
                                  AMQP_URL="amqp://guest:guest@127.0.0.1:5672/receipts-faults"),
        "quiet": launch_platform("platform-idle", FUNCTIONS=FUNCTIONS, **databases("idle", "postgres"),
                                 AMQP_URL="amqp://guest:guest@127.0.0.1:5672/receipts-idle?heartbeat=5"),
    }
    try:
        for platform in started.values():
            wait_ready(platform)
        yield started
    finally:
        for platform in started.values():
            if platform.process.poll() is None:
                platform.stop()
        for name in ("faults", "idle"):
            drop_databases(name)
        admin(f"DROP ROLE IF EXISTS {ROLE}")


@pytest.fixture(scope="module")
def quiet(platforms):
    """The quiet platform, warmed up (every serving thread has published), then left alone."""
    flow = Flow(platforms["quiet"])
    threads = [threading.Thread(target=lambda: flow.pair(requests.Session())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wait_until(lambda: flow.called_back() == flow.expected, timeout=30, message="the warm-up pairs called back")
    flow.idle_since = time.monotonic()
    return flow


def dead_letters(vhost: str) -> dict[str, int]:
    connection = bus.connect(f"amqp://guest:guest@127.0.0.1:5672/{vhost}")
    try:
        channel = connection.channel()
        return {name: channel.queue_declare(f"receipts.{name}.dlq", passive=True).method.message_count
                for name in CONSUMERS}
    finally:
        connection.close()


def test_refused_and_terminated_database_connections_dead_letter_nothing_and_answer_no_500(platforms, quiet):
    flow = Flow(platforms["faulty"])
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

    wait_until(lambda: flow.called_back() == flow.expected, timeout=90, interval=0.2,
               message="every pair called back")
    assert refused > 0, "the fault was not felt: nothing was refused"
    assert set(flow.statuses) <= {200, 201, 503}, flow.statuses
    assert dead_letters("receipts-faults") == {name: 0 for name in CONSUMERS}
    log = platforms["faulty"].log_text()
    assert '"backing_service.unavailable"' in log and '"event.poison"' not in log and '"event.dead_lettered"' not in log


def test_after_idling_with_short_heartbeats_each_pair_is_called_back_at_once(platforms, quiet):
    # The scenario is an idle platform: nothing is sent to it for this long.
    time.sleep(max(0.0, quiet.idle_since + IDLE_SECONDS - time.monotonic()))
    latencies = []
    for _ in range(8):
        started = time.monotonic()
        receipt_id, payment_id = quiet.pair()
        wait_until(lambda: {receipt_id, payment_id} <= quiet.called_back(), timeout=30, interval=0.01,
                   message="the pair called back")
        latencies.append(time.monotonic() - started)
    log = platforms["quiet"].log_text()
    # Nothing waited for the outbox relay (its grace alone is 10 s).
    assert '"outbox.publish_deferred"' not in log, latencies
    assert max(latencies) < 5, latencies
    print(f"idle {IDLE_SECONDS} s with 5 s heartbeats, then pairs called back in "
          + ", ".join(f"{latency * 1000:.0f} ms" for latency in latencies))
