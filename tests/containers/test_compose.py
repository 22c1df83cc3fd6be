"""The platform as containers: compose.yaml brought up for real (SPEC §9).

One stack for the module, under a project name and gateway and Prometheus ports of its own:
the image is built, `up --wait` returns once the API serves, a short `make demo` runs
against it and Prometheus counts exactly what it did, a dead letter fires its
alert until it is discarded, the README's calls run, a function's process is killed and
the platform recovers with nothing lost, and every container stops on SIGTERM before it is
taken down with its volumes.

It runs wherever Docker answers; CI sets REQUIRE_CONTAINERS=1, so there it cannot skip.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlencode

import certifi
import pytest
import requests
import yaml

from runtime import certs
from runtime import stack as template
from runtime.run import free_port
from tests.conftest import ARTIFACTS, ROOT, TEST_ENV
from tests.e2e.test_readme import check, run_readme
from tests.e2e.test_rendered_receipt import CHROMIUM_FLAGS, png_size
from tests.support import ADMIN_API_KEY, bearer, payment_body, random_pan, receipt_body, remember, wait_until

PROJECT = f"receipts-test-{os.getpid()}"
N = 40  # the demo's checkouts: the first work this stack does, so Prometheus's counters say exactly N
VOIDED: list[int] = []  # how many of them the demo's till voided
IMAGE = "receipts/platform:test"
PROMETHEUS_IMAGE = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]["prometheus"]["image"]


def docker_answers() -> bool:
    if not shutil.which("docker"):
        return False
    checks = (["docker", "info"], ["docker", "compose", "version"])
    return all(subprocess.run(command, capture_output=True, timeout=60).returncode == 0 for command in checks)


@dataclass
class Stack:
    port: int
    environ: dict

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def prometheus(self) -> str:
        return f"http://127.0.0.1:{self.environ['PROMETHEUS_PORT']}"

    def query(self, promql: str) -> list[dict]:
        """Prometheus's answer to an instant query: its result vector."""
        answer = requests.get(f"{self.prometheus}/api/v1/query", params={"query": promql}, timeout=10).json()
        assert answer["status"] == "success", answer
        return answer["data"]["result"]

    def value(self, promql: str) -> float | None:
        result = self.query(promql)
        return float(result[0]["value"][1]) if result else None

    def compose(self, *args: str, timeout: float = 600) -> str:
        result = subprocess.run(
            [
                "docker",
                "compose",
                "-p",
                PROJECT,
                "-f",
                str(ROOT / "compose.yaml"),
                "-f",
                str(ROOT / "compose.tls.yaml"),
                *args,
            ],
            env=self.environ,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, f"docker compose {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def tear_down(self) -> None:
        """docker compose down, again while it fails (for up to a minute): Docker's daemon
        may still list an endpoint on the project's network for a while after its last
        container is removed, the longer the busier the machine."""

        def down() -> bool:
            try:
                self.compose("down", "--volumes", "--timeout", "20")
            except AssertionError:
                return False
            return True

        wait_until(down, timeout=60, interval=2, message="docker compose down, its network gone")

    def container(self, service: str) -> dict:
        [container_id] = self.compose("ps", "-q", service).split()
        inspected = subprocess.run(["docker", "inspect", container_id], capture_output=True, text=True, check=True)
        return json.loads(inspected.stdout)[0]


@pytest.fixture(scope="module")
def docker():
    if not docker_answers():
        if os.environ.get("REQUIRE_CONTAINERS"):
            pytest.fail("REQUIRE_CONTAINERS is set but Docker does not answer: run ../shared/containers/setup.sh")
        pytest.skip("Docker is not available here")


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> certs.Certificates:
    return certs.make(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="module")
def stack(docker, made):
    """The stack with HTTPS at its gateway (compose.tls.yaml), on certificates made here;
    this process, curl and the demo trust their CA while the module runs."""
    trusted = {name: str(made.ca) for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")}
    environ = {
        **os.environ,
        "GATEWAY_PORT": str(free_port()),
        "PROMETHEUS_PORT": str(free_port()),
        "RECEIPTS_IMAGE": IMAGE,
        "ADMIN_API_KEY": ADMIN_API_KEY,
        "PLATFORM_SECRET": TEST_ENV["PLATFORM_SECRET"],
        "RATE_LIMIT_LOOKUP": "3",  # the gateway's limits are the environment's (tested below)
        "GATEWAY_TLS_CERT": str(made.gateway_cert),
        "GATEWAY_TLS_KEY": str(made.gateway_key),
        "GATEWAY_CA": str(made.ca),
        **trusted,
    }
    stack = Stack(int(environ["GATEWAY_PORT"]), environ)
    patched = pytest.MonkeyPatch()
    try:
        for name, value in trusted.items():
            patched.setenv(name, value)
        stack.compose("up", "--build", "--wait", "--wait-timeout", "300")
        yield stack
        (ARTIFACTS / "compose.log").write_text(stack.compose("logs", "--no-color"))
    finally:
        patched.undo()
        stack.tear_down()


def test_up_wait_returns_with_the_api_serving(stack):
    health = requests.get(f"{stack.url}/healthz", timeout=10)
    assert health.status_code == 200, health.text
    assert health.json()["dependencies"] == {"write_database": "up", "read_database": "up", "rabbitmq": "up"}


def test_the_gateway_speaks_https_only_with_hsts(stack):
    health = requests.get(f"{stack.url}/healthz", timeout=10)
    assert health.status_code == 200 and health.headers["Strict-Transport-Security"] == "max-age=63072000"
    plain = requests.get(f"http://127.0.0.1:{stack.port}/healthz", timeout=10)
    assert plain.status_code == 400 and plain.json()["error"]["code"] == "https_required"
    with pytest.raises(requests.exceptions.SSLError):  # a certificate of the test's own CA, no public one
        requests.get(f"{stack.url}/healthz", verify=certifi.where(), timeout=10)


def test_the_gateway_holds_a_credential_to_the_limit_the_environment_gives(stack):
    with requests.Session() as session:
        answers = [
            session.post(f"{stack.url}/v1/receipts/lookup", json={}, headers=bearer("a-guess"), timeout=10)
            for _ in range(12)
        ]
    # 1 and a burst of 6 reach the function (401: no such key); the gateway refuses the rest
    # but what the limit's 3 per second let through meanwhile.
    statuses = [answer.status_code for answer in answers]
    assert statuses[:7] == [401] * 7 and statuses.count(429) >= 3 and set(statuses) == {401, 429}
    refused = next(answer for answer in answers if answer.status_code == 429)
    assert refused.headers["Retry-After"] == "1" and refused.json()["error"]["code"] == "rate_limited"
    # Counted by gateway-metrics from the gateway's log, and scraped (every 10 s).
    wait_until(
        lambda: (stack.value('sum(receipts_rate_limited_total{class="lookup"})') or 0) >= statuses.count(429),
        timeout=60,
        interval=1,
        message="Prometheus counting the refusals",
    )


def test_make_demo_runs_against_compose(stack):
    # At a steady rate for a few seconds: Prometheus's graph of it is kept (below).
    result = subprocess.run(
        ["make", "demo", f"N={N}", f"DEMO_RATE={N // 8}", f"URL={stack.url}"],
        cwd=ROOT,
        env=stack.environ,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    matched = re.search(r"receipts matched +(\d+) of the (\d+) not voided", result.stdout)
    assert matched and matched[1] == matched[2], result.stdout
    VOIDED.append(N - int(matched[2]))  # about 1 in 100 checkouts is voided at the till
    assert f"callbacks delivered      {2 * int(matched[2])}" in result.stdout


def test_prometheus_counts_what_the_demo_did(stack, tmp_path):
    functions = {function.name for function in template.load()}
    # Every replica of every function found by DNS and scraped; the alert rules loaded.
    wait_until(
        lambda: (
            {target["labels"].get("service") for target in targets(stack) if target["health"] == "up"}
            == functions | {None}
        ),  # None: the gateway's counter (its own job)
        timeout=90,
        interval=1,
        message="every function's replica scraped",
    )
    rules = requests.get(f"{stack.prometheus}/api/v1/rules", timeout=10).json()["data"]["groups"]
    assert {rule["name"] for group in rules for rule in group["rules"]} == {
        "CallbacksFailing",
        "OutboxBehind",
        "DeadLetters",
        "ConsumerQueueGrowing",
        "FunctionSlow",
    }

    counted = {
        'sum(receipts_submissions_total{kind="receipt",outcome="created"})': N,
        'sum(receipts_submissions_total{kind="payment",outcome="created"})': N,
    }
    kept = N - sum(VOIDED)  # a voided checkout's pair may have been matched before its void, or not
    # The last scrape may be up to 10 s older than the demo's end: wait for it to come.
    wait_until(
        lambda: (
            all(stack.value(query) == expected for query, expected in counted.items())
            and kept <= (stack.value("sum(receipts_matches_total)") or 0) <= N
            and stack.value('sum(receipts_callbacks_total{outcome="delivered"})') >= 2 * kept
        ),
        timeout=60,
        interval=1,
        message=f"Prometheus counting {N} receipts, payments and matches, {2 * N} callbacks",
    )
    merchant = register(stack, "merchant")
    response = requests.post(
        f"{stack.url}/v1/receipts",
        json={**receipt_body(), "currency": "euros"},
        headers=bearer(merchant["api_key"]),
        timeout=10,
    )
    assert response.status_code == 422, response.text
    wait_until(
        lambda: stack.value('sum(receipts_submissions_total{kind="receipt",outcome="rejected"})') == 1,
        timeout=30,
        interval=1,
        message="the rejected receipt counted",
    )
    assert stack.value("sum(receipts_projection_lag_seconds_count)") >= 4 * N
    assert stack.value("max(receipts_outbox_oldest_unpublished_seconds)") is not None
    queues = {series["metric"]["queue"] for series in stack.query("receipts_queue_messages")}
    assert queues == {
        f"receipts.{name}{suffix}"
        for name in ("project-read-model", "match", "deliver-callbacks")
        for suffix in ("", ".dlq")
    }
    # No label value is an id, a PAN or an account reference.
    series = requests.get(
        f"{stack.prometheus}/api/v1/series", params={"match[]": '{__name__=~"receipts_.+"}'}, timeout=10
    ).json()["data"]
    values = {value for labels in series for name, value in labels.items() if name not in ("__name__", "instance")}
    assert values and not {value for value in values if re.search(r"\d{6,}|[0-9a-f]{8}-[0-9a-f]{4}|acct", value)}
    graph(
        stack,
        'sum(rate(receipts_submissions_total{kind="receipt",outcome="created"}[30s]))',
        tmp_path,
        ARTIFACTS / "prometheus-receipts-per-second.png",
    )


def graph(stack, promql: str, tmp_path, screenshot) -> None:
    """Prometheus's graph of promql over the last minute, as headless Chromium shows it."""
    chromium = shutil.which("chromium")
    assert chromium, "make test installs Debian's chromium; run it through make test"
    screenshot.unlink(missing_ok=True)
    page = f"{stack.prometheus}/graph?" + urlencode({"g0.expr": promql, "g0.tab": "0", "g0.range_input": "1m"})
    # The graph is drawn by the page's scripts: give them (virtual) time before the shot.
    flags = [flag for flag in CHROMIUM_FLAGS if not flag.startswith("--window-size")]
    subprocess.run(
        [
            chromium,
            *flags,
            "--window-size=1200,800",
            "--virtual-time-budget=15000",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={screenshot}",
            page,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert png_size(screenshot) == (1200, 800) and screenshot.stat().st_size > 20_000


def test_a_dead_letter_fires_its_alert_until_it_is_discarded(stack):
    poison = f"poison-{os.getpid()}"  # not a UUID: the projector dead-letters it at once
    stack.compose(
        "exec",
        "-T",
        "relay-outbox",
        "python",
        "-c",
        (
            "import json, uuid; from shared.platform import bus; "
            f"event = bus.envelope({poison!r}, 'receipts.receipt.submitted.v1', uuid.uuid4(), '2026-12-03T00:00:00+00:00', {{}}); "
            "connection = bus.connect(); channel = connection.channel(); "
            "channel.basic_publish(bus.EXCHANGE, event['type'], json.dumps(event), bus.properties(event)); connection.close()"
        ),
    )

    def firing() -> set[str]:
        alerts = requests.get(f"{stack.prometheus}/api/v1/alerts", timeout=10).json()["data"]["alerts"]
        return {
            alert["labels"].get("queue")
            for alert in alerts
            if alert["labels"]["alertname"] == "DeadLetters" and alert["state"] == "firing"
        }

    wait_until(
        lambda: firing() == {"receipts.project-read-model.dlq"},
        timeout=60,
        interval=1,
        message="the DeadLetters alert firing",
    )
    discarded = stack.compose(
        "exec", "-T", "relay-outbox", "python", "-m", "runtime.admin", "discard", "project-read-model", "--id", poison
    )
    assert "1 dead letter(s) discarded" in discarded
    wait_until(lambda: firing() == set(), timeout=60, interval=1, message="the DeadLetters alert resolved")


def test_promtool_checks_the_configuration_and_the_alert_rules(docker):
    for command in (
        ["check", "config", "prometheus.yml"],
        ["check", "config", "swarm.yml"],
        ["check", "rules", "alerts.yml"],
        ["test", "rules", "alerts.test.yml"],
    ):
        result = subprocess.run(
            [
                "docker",
                "run",
                "--rm",
                "--entrypoint",
                "/bin/promtool",
                "-w",
                "/etc/prometheus",
                "-v",
                f"{ROOT / 'deploy' / 'prometheus'}:/etc/prometheus:ro",
                PROMETHEUS_IMAGE,
                *command,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"promtool {' '.join(command)}:\n{result.stdout}\n{result.stderr}"


def targets(stack) -> list[dict]:
    return requests.get(f"{stack.prometheus}/api/v1/targets", timeout=10).json()["data"]["activeTargets"]


def test_the_readme_calls_work_against_compose(stack):
    # The functions call the simulated parties back through the gateway's service name.
    check(run_readme(stack.url, "https://gateway:8080/sim"))


def register(stack, kind: str) -> dict:
    response = requests.post(
        f"{stack.url}/v1/admin/{kind}s",
        headers=bearer(ADMIN_API_KEY),
        timeout=10,
        json={"name": f"{kind} in containers", "callback_url": "http://127.0.0.1:9/nowhere"},
    )
    assert response.status_code == 201, response.text
    remember(response.json()["api_key"], response.json()["webhook_secret"])
    return response.json()


def test_a_killed_function_process_is_restarted_and_nothing_is_lost(stack):
    merchant, bank = register(stack, "merchant"), register(stack, "bank")
    pans = [random_pan() for _ in range(20)]

    def submit_pair(pan):
        for path, body, key in (("receipts", receipt_body(pan), merchant), ("payments", payment_body(pan), bank)):
            response = requests.post(f"{stack.url}/v1/{path}", json=body, headers=bearer(key["api_key"]), timeout=30)
            assert response.status_code == 201, response.text

    matcher = stack.container("match")
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(submit_pair, pans[:10]))
        os.kill(matcher["State"]["Pid"], signal.SIGKILL)  # the function's own process, as a crash would
        list(pool.map(submit_pair, pans[10:]))

    def matched() -> int:
        page = requests.get(
            f"{stack.url}/v1/receipts?status=matched&limit=100", timeout=10, headers=bearer(merchant["api_key"])
        ).json()
        return len(page["items"])

    wait_until(lambda: matched() == 20, timeout=120, interval=0.5, message="all 20 pairs matched")
    assert stack.container("match")["RestartCount"] == matcher["RestartCount"] + 1


def test_every_container_stops_on_sigterm_with_clean_logs(stack):
    logs = stack.compose("logs", "--no-color")
    assert "Traceback" not in logs and "Permission denied" not in logs
    stack.compose("stop", "--timeout", "10")
    killed = []
    for container_id in stack.compose("ps", "-a", "-q").split():
        state = json.loads(
            subprocess.run(["docker", "inspect", container_id], capture_output=True, text=True, check=True).stdout
        )[0]
        if state["State"]["ExitCode"] == 137:
            killed.append(state["Name"])
    assert killed == [], "killed after the stop timeout instead of ending on SIGTERM"
