"""The platform as containers: compose.yaml brought up for real (SPEC §9, issue 9).

One stack for the module, under a project name and gateway port of its own: the image is
built, `up --wait` returns once the API serves, the README's calls and a short `make demo`
run against it, a function's process is killed and the platform recovers with nothing
lost, and every container stops on SIGTERM before it is taken down with its volumes.

It runs wherever Docker answers; CI sets REQUIRE_CONTAINERS=1, so there it cannot skip.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import requests

from runtime.run import free_port
from tests.conftest import ARTIFACTS, ROOT, TEST_ENV
from tests.e2e.test_readme import check, run_readme
from tests.support import ADMIN_API_KEY, bearer, payment_body, random_pan, receipt_body, remember, wait_until

PROJECT = f"receipts-test-{os.getpid()}"
IMAGE = "receipts/platform:test"


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
        return f"http://127.0.0.1:{self.port}"

    def compose(self, *args: str, timeout: float = 600) -> str:
        result = subprocess.run(["docker", "compose", "-p", PROJECT, "-f", str(ROOT / "compose.yaml"), *args],
                                env=self.environ, capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"docker compose {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def container(self, service: str) -> dict:
        [container_id] = self.compose("ps", "-q", service).split()
        inspected = subprocess.run(["docker", "inspect", container_id], capture_output=True, text=True, check=True)
        return json.loads(inspected.stdout)[0]


@pytest.fixture(scope="module")
def stack():
    if not docker_answers():
        if os.environ.get("REQUIRE_CONTAINERS"):
            pytest.fail("REQUIRE_CONTAINERS is set but Docker does not answer: run ../shared/containers/setup.sh")
        pytest.skip("Docker is not available here")
    environ = {**os.environ, "GATEWAY_PORT": str(free_port()), "RECEIPTS_IMAGE": IMAGE,
               "ADMIN_API_KEY": ADMIN_API_KEY, "PLATFORM_SECRET": TEST_ENV["PLATFORM_SECRET"]}
    stack = Stack(int(environ["GATEWAY_PORT"]), environ)
    try:
        stack.compose("up", "--build", "--wait", "--wait-timeout", "300")
        yield stack
        (ARTIFACTS / "compose.log").write_text(stack.compose("logs", "--no-color"))
    finally:
        stack.compose("down", "--volumes", "--timeout", "20")


def test_up_wait_returns_with_the_api_serving(stack):
    health = requests.get(f"{stack.url}/healthz", timeout=10)
    assert health.status_code == 200, health.text
    assert health.json()["dependencies"] == {"write_database": "up", "read_database": "up", "rabbitmq": "up"}


def test_the_readme_calls_work_against_compose(stack):
    # The functions call the simulated parties back through the gateway's service name.
    check(run_readme(stack.url, "http://gateway:8080/sim"))


def test_make_demo_runs_against_compose(stack):
    result = subprocess.run(["make", "demo", "N=20", f"URL={stack.url}"],
                            cwd=ROOT, env=stack.environ, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "receipts matched         20" in result.stdout
    assert "callbacks delivered      40" in result.stdout


def register(stack, kind: str) -> dict:
    response = requests.post(f"{stack.url}/v1/admin/{kind}s", headers=bearer(ADMIN_API_KEY), timeout=10,
                             json={"name": f"{kind} in containers", "callback_url": "http://127.0.0.1:9/nowhere"})
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
        page = requests.get(f"{stack.url}/v1/receipts?status=matched&limit=100", timeout=10,
                            headers=bearer(merchant["api_key"])).json()
        return len(page["items"])

    wait_until(lambda: matched() == 20, timeout=120, interval=0.5, message="all 20 pairs matched")
    assert stack.container("match")["RestartCount"] == matcher["RestartCount"] + 1


def test_every_container_stops_on_sigterm_with_clean_logs(stack):
    logs = stack.compose("logs", "--no-color")
    assert "Traceback" not in logs and "Permission denied" not in logs
    stack.compose("stop", "--timeout", "10")
    killed = []
    for container_id in stack.compose("ps", "-a", "-q").split():
        state = json.loads(subprocess.run(["docker", "inspect", container_id], capture_output=True, text=True,
                                          check=True).stdout)[0]
        if state["State"]["ExitCode"] == 137:
            killed.append(state["Name"])
    assert killed == [], "killed after the stop timeout instead of ending on SIGTERM"
