"""Platforms of their own for the connection tests, and pairs sent to them as
a client would."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter

import pg8000.native
import requests

from tests.conftest import recreate_vhost
from tests.e2e.conftest import Platform, launch_platform, wait_ready
from tests.integration.test_callbacks import Receiver
from tests.support import ADMIN_API_KEY, bearer, payment_body, random_pan, receipt_body, remember, wait_until

ROLE = "receipts_app"
FUNCTIONS = "create-merchant,create-bank,submit-receipt,submit-payment,match,deliver-callbacks,relay-outbox"


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
            response = self.http.post(
                f"{platform.url}/v1/admin/{kind}s",
                headers=bearer(ADMIN_API_KEY),
                json={"name": f"{kind} faults", "callback_url": f"{self.receiver.url}/{kind}"},
            )
            assert response.status_code == 201, response.text
            self.parties[kind] = response.json()
            remember(self.parties[kind]["api_key"], self.parties[kind]["webhook_secret"])

    def send(self, path: str, body: dict, party: str, http: requests.Session) -> dict:
        while True:
            response = http.post(
                f"{self.platform.url}{path}", json=body, headers=bearer(self.parties[party]["api_key"])
            )
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


def own_platform(name: str, user: str, amqp_query: str = "") -> Platform:
    """`make run` with databases and a vhost of its own, serving the pair's functions."""
    drop_databases(name)
    recreate_vhost(f"receipts-{name}")
    return launch_platform(
        f"platform-{name}",
        FUNCTIONS=FUNCTIONS,
        **databases(name, user),
        AMQP_URL=f"amqp://guest:guest@127.0.0.1:5672/receipts-{name}{amqp_query}",
    )


def warmed(platform: Platform) -> Flow:
    """A flow whose eight concurrent pairs went through every serving thread."""
    flow = Flow(wait_ready(platform))
    threads = [threading.Thread(target=lambda: flow.pair(requests.Session())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wait_until(lambda: flow.called_back() == flow.expected, timeout=30, message="the warm-up pairs called back")
    return flow
