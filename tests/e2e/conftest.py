"""The platform as `make run` starts it: a real process tree behind the gateway."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from runtime.run import free_port
from tests.conftest import ARTIFACTS, ROOT, TEST_ENV
from tests.support import wait_until


@dataclass
class Platform:
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text()

    def exits(self, process: str) -> int:
        """How often the supervisor has seen process (a function's or trigger's name) exit:
        the log is the session's, and other tests kill processes of this platform too."""
        return sum(
            1
            for line in self.log_text().splitlines()
            if '"process.exited"' in line and json.loads(line).get("process") == process
        )

    @property
    def function_ports(self) -> dict[str, int]:
        """Each function's own port, as the ready platform logged them."""
        ready = next(line for line in self.log_text().splitlines() if '"platform.ready"' in line)
        return json.loads(ready)["functions"]

    def children(self) -> list[int]:
        pids = []
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            pids += [int(pid) for pid in (task / "children").read_text().split()]
        return pids

    def descendants(self) -> list[int]:
        """Every process under the platform: functions, triggers and their workers."""
        parents = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                text = stat.read_text()
            except OSError:
                continue
            parents[int(stat.parent.name)] = int(text[text.rindex(")") + 2 :].split()[1])
        found, frontier = [], [self.process.pid]
        while frontier:
            parent = frontier.pop()
            children = [pid for pid, ppid in parents.items() if ppid == parent]
            found += children
            frontier += children
        return found

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=10)


def launch_platform(name: str, **env) -> Platform:
    """`make run` started in the background (see start_platform)."""
    port = free_port()
    log = ARTIFACTS / f"{name}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "runtime.run"],
        cwd=ROOT,
        # The integration tests share these databases and drive reconciliation themselves:
        # the platform's own schedule (every minute) would race them, so it never fires here.
        env={**os.environ, **TEST_ENV, "GATEWAY_PORT": str(port), "RECONCILE_SCHEDULE": "0 0 31 2 *", **env},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    return Platform(process, port, log)


def wait_ready(platform: Platform) -> Platform:
    def ready():
        if platform.process.poll() is not None:
            raise AssertionError(f"the platform exited with {platform.process.returncode}:\n{platform.log_text()}")
        return '"platform.ready"' in platform.log_text()

    try:
        wait_until(ready, timeout=60, message="platform.ready")
    except AssertionError:
        platform.stop()  # a platform that never became ready must not outlive the run
        raise
    return platform


def start_platform(name: str, **env) -> Platform:
    """`make run` as a user starts it, ready to serve; env overrides the test settings."""
    return wait_ready(launch_platform(name, **env))


@pytest.fixture(scope="session")
def platform(databases):
    platform = start_platform("platform")
    yield platform
    platform.stop()


@pytest.fixture(scope="session")
def quiet_platform(databases):
    """A platform negotiating 5 s heartbeats with RabbitMQ, warmed up, then left alone
    (tests/e2e/test_idle.py): requested early, by test_connections, so its idle time
    passes while other tests run."""
    from tests.e2e.pairs import drop_databases, own_platform, warmed

    platform = own_platform("idle", "postgres", "?heartbeat=5")
    try:
        flow = warmed(platform)
        # A first scrape opens match's kept broker connection for its queue gauges; the
        # broker drops it during the idle (tests/e2e/test_idle.py scrapes again after).
        requests.get(f"http://127.0.0.1:{platform.function_ports['match']}/_/metrics", timeout=10)
        flow.idle_since = time.monotonic()
        yield flow
    finally:
        if platform.process.poll() is None:
            platform.stop()
        drop_databases("idle")


@pytest.fixture(scope="session")
def http():
    with requests.Session() as session:
        yield session
