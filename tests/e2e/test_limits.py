"""The gateway's limits (SPEC §15): per credential and route class, per client address; a
429 with Retry-After and the error body beyond them, and nothing accepted ever lost."""

from __future__ import annotations

import json
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from runtime import gateway_metrics, nginx, stack
from runtime.run import free_port
from shared.platform.config import GatewaySettings
from tests.conftest import _register
from tests.support import bearer, receipt_body, wait_until


def submit(session: requests.Session, url: str, key: str) -> requests.Response:
    return session.post(f"{url}/v1/receipts", json=receipt_body(), headers=bearer(key), timeout=30)


def flood(url: str, key: str, requests_count: int, threads: int = 16) -> list[requests.Response]:
    local = threading.local()

    def one(_index: int) -> requests.Response:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        return submit(local.session, url, key)

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, range(requests_count)))


def stored(write_engine, receipt_ids: list[str]) -> int:
    with write_engine.connect() as connection:
        return connection.execute(
            text("SELECT count(*) FROM receipts WHERE id = ANY(CAST(:ids AS uuid[]))"), {"ids": receipt_ids}
        ).scalar_one()


def test_a_flooding_merchant_is_held_to_its_limit_while_another_is_served(gateway, merchant, functions, write_engine):
    url = gateway(GatewaySettings.from_env({}))  # the default limits
    other = _register(functions, "merchant")
    others: list[int] = []
    done = threading.Event()

    def steady() -> None:
        with requests.Session() as session:
            while not done.is_set():
                others.append(submit(session, url, other["api_key"]).status_code)
                time.sleep(0.1)

    thread = threading.Thread(target=steady)
    thread.start()
    try:
        answers = flood(url, merchant["api_key"], 800)
    finally:
        done.set()
        thread.join()

    refused = [answer for answer in answers if answer.status_code == 429]
    accepted = [answer.json()["id"] for answer in answers if answer.status_code == 201]
    assert refused and accepted and len(refused) + len(accepted) == len(answers)
    assert refused[0].headers["Retry-After"] == "1"
    assert refused[0].headers["Content-Type"] == "application/json"
    assert refused[0].json()["error"]["code"] == "rate_limited"
    assert "submit" in refused[0].json()["error"]["message"]
    assert stored(write_engine, accepted) == len(accepted)
    assert others and set(others) == {201}
    # Another class of the same key has a limit of its own.
    assert requests.get(f"{url}/v1/receipts", headers=bearer(merchant["api_key"]), timeout=10).ok


@pytest.fixture
def gateway(platform, tmp_path: Path):
    """Another gateway in front of the platform's functions, with the given limits (the
    platform's own lifts them for the rest of the suite)."""
    processes = []

    def start(limits: GatewaySettings, refused_log: Path | None = None) -> str:
        port = free_port()
        functions = [function for function in stack.load() if function.http]
        ports = {function.name: platform.function_ports[function.name] for function in functions}
        config = tmp_path / f"nginx-{port}.conf"
        config.write_text(
            nginx.render(
                functions,
                port=port,
                local_ports=ports,
                prefix=str(tmp_path),
                gateway=limits,
                refused_log=str(refused_log) if refused_log else None,
            )
        )
        processes.append(subprocess.Popen(nginx.command(config)))
        url = f"http://127.0.0.1:{port}"

        def answers() -> bool:
            try:
                return requests.get(f"{url}/nowhere", timeout=1).status_code == 404
            except requests.ConnectionError:
                return False

        wait_until(answers, timeout=10, message="the gateway answers")
        return url

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def strict_gateway(gateway):
    """Limits a test reaches in a few requests: 2 per second per credential and class, 6 per address."""
    return gateway(GatewaySettings(rate_limits={"submit": 2, "read": 2, "lookup": 2, "admin": 2, "address": 6}))


def test_a_wrong_key_is_limited_like_any_other_and_every_address_overall(strict_gateway):
    with requests.Session() as session:
        wrong = [session.get(f"{strict_gateway}/v1/receipts", headers=bearer("guess"), timeout=10) for _ in range(8)]
        # One, and a burst of 4 more, answered by the function (401); the rest by the gateway.
        assert [answer.status_code for answer in wrong[:5]] == [401] * 5
        assert {answer.status_code for answer in wrong[5:]} == {429}
        # A fresh key per request escapes its own limit, not the address's (1 + a burst of 12).
        fresh = [
            session.get(f"{strict_gateway}/v1/receipts", headers=bearer(f"guess-{index}"), timeout=10).status_code
            for index in range(16)
        ]
    assert 429 in fresh and fresh.count(401) <= 13 - 5


def test_one_key_spelt_differently_is_still_one_credential(strict_gateway):
    spellings = ["Bearer guess", "bearer guess", "BEARER  guess", "Bearer guess "]
    with requests.Session() as session:
        statuses = [
            session.get(
                f"{strict_gateway}/v1/receipts", headers={"Authorization": spellings[index % 4]}, timeout=10
            ).status_code
            for index in range(8)
        ]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}


def test_what_the_gateway_refuses_is_counted_by_class(gateway, platform):
    # Where runtime.run makes it (tmp_path is root's alone: nginx's workers may run as nobody).
    refused_log = Path(tempfile.mkdtemp(prefix="receipts-refused-"))
    refused_log.chmod(0o733)
    url = gateway(
        GatewaySettings(rate_limits={"submit": 1, "read": 1, "lookup": 1, "admin": 1, "address": 100}), refused_log
    )
    before = {kind: gateway_metrics.REFUSED.labels(kind)._value.get() for kind in ("read", "lookup")}
    with requests.Session() as session:
        reads = [session.get(f"{url}/v1/receipts", headers=bearer("guess"), timeout=10).status_code for _ in range(6)]
        lookups = [
            session.post(f"{url}/v1/receipts/lookup", json={}, headers=bearer("guess"), timeout=10).status_code
            for _ in range(5)
        ]

    def counted() -> bool:
        gateway_metrics.count(refused_log)
        return all(
            gateway_metrics.REFUSED.labels(kind)._value.get() - before[kind] == statuses.count(429)
            for kind, statuses in (("read", reads), ("lookup", lookups))
        )

    wait_until(counted, timeout=5, message="every refusal counted by its class")
    assert reads.count(429) >= 3 and lookups.count(429) >= 2
    # The platform's own gateway has its counter served beside the functions.
    ready = next(line for line in platform.log_text().splitlines() if '"platform.ready"' in line)
    metrics = requests.get(f"http://127.0.0.1:{json.loads(ready)['gateway_metrics']}/_/metrics", timeout=10)
    assert metrics.status_code == 200 and "receipts_rate_limited_total" in metrics.text
