"""The stack on Docker Swarm, replicated, under `make demo`.

    make bench-swarm N=500        # or: .venv/bin/python bench/swarm.py --checkouts 500

On this machine's single-node swarm (initialised if need be), a stack of its own name and
port, as `make swarm-up` deploys it, with submit-receipt and project-read-model at 3
replicas and the match, projection and callback triggers at 2 (competing consumers):

1. `make demo N` — receipts matched, callbacks, lost and duplicated (a party called back
   twice for one receipt), and how many requests each submit-receipt replica took; then
   Prometheus (on a port of its own) must have found every replica as `tasks.<service>`
   and counted exactly N receipts;
2. the same demo while submit-receipt rolls (`docker service update --force`: start-first);
3. the same demo while submit-receipt scales down to 1 and back up to 3;
4. `docker stack rm`: no container, network or volume of the stack left.

Exits non-zero if any demo lost or duplicated anything. CI runs it after the suite.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "tests" / ".artifacts"
sys.path.insert(0, str(ROOT))

from runtime import swarm
from runtime.run import free_port

REPLICAS = {
    "submit-receipt": 3,
    "project-read-model": 3,
    "match-trigger": 2,
    "project-read-model-trigger": 2,
    "deliver-callbacks-trigger": 2,
}
# The functions' replicas Prometheus must find (the triggers serve no metrics).
SCRAPED = {name: count for name, count in REPLICAS.items() if not name.endswith("-trigger")}


class Stack:
    def __init__(self, name: str, port: int):
        self.name, self.port = name, port
        self.env = {**swarm.environment(), "GATEWAY_PORT": str(port)}

    def service(self, service: str) -> str:
        return f"{self.name}_{service}"

    def keep_logs(self) -> Path:
        """The platform's logs (every function logs to Fluentd, which prints them) and the
        gateway's, kept before the stack goes: what a failed run is read from afterwards."""
        LOGS.mkdir(parents=True, exist_ok=True)
        for service in ("fluentd", "gateway"):
            logs = subprocess.run(
                ["docker", "service", "logs", "--raw", "--no-task-ids", self.service(service)],
                capture_output=True,
                text=True,
                timeout=120,
            )
            (LOGS / f"swarm-{service}.log").write_text(logs.stdout + logs.stderr)
        return LOGS

    def containers(self, service: str) -> list[str]:
        return swarm.docker(
            "ps", "-q", "--filter", f"label=com.docker.swarm.service.name={self.service(service)}"
        ).split()

    def sql(self, database: str, query: str) -> list[list[str]]:
        [postgres] = self.containers("postgres")
        out = swarm.docker("exec", postgres, "psql", "-U", "postgres", "-d", database, "-AtF", "\t", "-c", query)
        return [line.split("\t") for line in out.splitlines() if line]

    def requests_per_replica(self, service: str) -> list[int]:
        """What each running replica's /_/health says it served."""
        probe = (
            "import json, urllib.request; "
            "print(json.load(urllib.request.urlopen('http://127.0.0.1:8080/_/health'))['requests'])"
        )
        return sorted(
            (
                int(swarm.docker("exec", container, "python", "-c", probe).strip())
                for container in self.containers(service)
            ),
            reverse=True,
        )

    def demo(self, checkouts: int) -> str:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "runtime.demo",
                "--checkouts",
                str(checkouts),
                "--concurrency",
                "8",
                "--url",
                f"http://127.0.0.1:{self.port}",
            ],
            cwd=ROOT,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=900,
        )
        if result.returncode:
            raise SystemExit(f"make demo failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return result.stdout

    def outcome(self) -> dict:
        """Every receipt so far: called back to bank and merchant once each?"""
        rows = self.sql("receipts_write", "SELECT id, status FROM receipts")
        # A receipt voided at the till may have been called back before its void, or not:
        # only the others are owed their callbacks.
        owed = {receipt for receipt, status in rows if status != "voided"}
        calls = self.sql(
            "receipts_sim",
            "SELECT receipt_id, party_kind, count(*) FROM sim_callbacks WHERE receipt_id IS NOT NULL GROUP BY 1, 2",
        )
        called = {(receipt, kind) for receipt, kind, _count in calls}
        projected = int(self.sql("receipts_read", "SELECT count(*) FROM receipt_views")[0][0])
        return {
            "receipts": len(rows),
            "voided": len(rows) - len(owed),
            "projected": projected,
            "callbacks": len(called),
            "lost": sum((receipt, kind) not in called for receipt in owed for kind in ("bank", "merchant")),
            "duplicated": sum(int(count) - 1 for receipt, _kind, count in calls if receipt in owed),
        }

    def prometheus(self, query: str) -> list[dict]:
        url = f"http://127.0.0.1:{os.environ['PROMETHEUS_PORT']}/api/v1/query?" + urllib.parse.urlencode(
            {"query": query}
        )
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.load(response)["data"]["result"]

    def scraped(self, checkouts: int, timeout: float = 90) -> tuple[dict, float]:
        """Replicas Prometheus scrapes, by service, and the receipts it counted, once the
        replicas are REPLICAS' and the receipts are checkouts (or the timeout passed)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                up = {
                    row["metric"]["service"]: int(row["value"][1])
                    for row in self.prometheus('sum by (service) (up{job="functions"})')
                }
                counted = self.prometheus('sum(receipts_submissions_total{kind="receipt",outcome="created"})')
                receipts = float(counted[0]["value"][1]) if counted else 0.0
            except OSError:
                up, receipts = {}, 0.0
            if (
                receipts == checkouts and all(up.get(name) == count for name, count in SCRAPED.items())
            ) or time.monotonic() > deadline:
                return up, receipts
            time.sleep(2)

    def wait_until_converged(self, service: str, replicas: int, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            inspected = json.loads(swarm.docker("service", "inspect", self.service(service)))[0]
            state = (inspected.get("UpdateStatus") or {}).get("State", "completed")
            if state in ("completed", "rollback_completed") and len(self.containers(service)) == replicas:
                return
            time.sleep(1)
        raise SystemExit(f"{service} did not settle at {replicas} replicas")


def during(action, stack: Stack, checkouts: int) -> tuple[str, dict]:
    """A demo with action() run once it is under way."""
    done: dict = {}

    def demo() -> None:
        try:
            done["output"] = stack.demo(checkouts)
        except BaseException as failure:  # SystemExit included: a thread would swallow it
            done["failure"] = failure

    thread = threading.Thread(target=demo)
    thread.start()
    time.sleep(3)
    action()
    thread.join()
    if "failure" in done:
        raise done["failure"]
    return done["output"], stack.outcome()


def report(label: str, output: str, outcome: dict, expected: int) -> bool:
    """One demo's figures; whether nothing was lost, duplicated or refused. (The simulated
    parties try a 503 again after its Retry-After, as clients do; any other refusal fails
    a checkout.)"""
    lines = {line.split("  ")[0]: " ".join(line.split()) for line in output.splitlines()}
    submitted, latency = lines.get("checkouts submitted", "?"), lines.get("end-to-end latency", "?")
    print(
        f"{label}: {submitted}; {outcome['receipts']} receipts ({expected} expected, {outcome['voided']} voided),"
        f" {outcome['projected']} projected,"
        f" {outcome['callbacks']} called back, lost {outcome['lost']}, duplicated {outcome['duplicated']}; {latency}",
        flush=True,
    )
    return (
        outcome["receipts"] == expected
        and outcome["lost"] == 0
        and outcome["duplicated"] == 0
        and outcome["projected"] == expected
        and "(0 failed)" in submitted
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkouts", type=int, default=500)
    parser.add_argument("--name", default="receipts-bench")
    args = parser.parse_args()
    os.environ["PROMETHEUS_PORT"] = str(free_port())  # beside any other stack's Prometheus
    stack = Stack(args.name, free_port())
    ok = True
    try:
        swarm.up(stack.name, REPLICAS, timeout=300, port=stack.port)
        started = time.monotonic()
        output = stack.demo(args.checkouts)
        ok &= report(
            f"make demo N={args.checkouts} ({time.monotonic() - started:.0f} s)",
            output,
            stack.outcome(),
            args.checkouts,
        )
        print(f"  requests per submit-receipt replica: {stack.requests_per_replica('submit-receipt')}", flush=True)
        print(
            f"  requests per project-read-model replica: {stack.requests_per_replica('project-read-model')}", flush=True
        )
        up, receipts = stack.scraped(args.checkouts)
        replicas = ", ".join(f"{name} {up.get(name, 0)} of {count}" for name, count in SCRAPED.items())
        print(
            f"  Prometheus: {sum(up.values())} replicas scraped ({replicas}), receipts counted {receipts:.0f}"
            f" ({args.checkouts} expected)",
            flush=True,
        )
        ok &= receipts == args.checkouts and all(up.get(name) == count for name, count in SCRAPED.items())

        def roll():
            swarm.docker("service", "update", "--force", "--detach", stack.service("submit-receipt"))
            stack.wait_until_converged("submit-receipt", 3)

        output, outcome = during(roll, stack, args.checkouts)
        ok &= report("during a rolling update of submit-receipt", output, outcome, 2 * args.checkouts)

        def rescale():
            swarm.docker("service", "scale", "--detach", f"{stack.service('submit-receipt')}=1")
            stack.wait_until_converged("submit-receipt", 1)
            swarm.docker("service", "scale", "--detach", f"{stack.service('submit-receipt')}=3")
            stack.wait_until_converged("submit-receipt", 3)

        output, outcome = during(rescale, stack, args.checkouts)
        ok &= report("during a scale of submit-receipt to 1 and back to 3", output, outcome, 3 * args.checkouts)
        print(
            f"  requests per submit-receipt replica (after the scale): {stack.requests_per_replica('submit-receipt')}",
            flush=True,
        )
    finally:
        if not ok or sys.exc_info()[0] is not None:
            print(f"the stack's logs are kept in {stack.keep_logs()}", flush=True)
        swarm.down(stack.name, timeout=120, volumes=True)
    if not ok:
        raise SystemExit("something was lost or duplicated, or Prometheus did not see it all")


if __name__ == "__main__":
    main()
