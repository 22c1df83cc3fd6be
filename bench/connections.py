"""One platform under `make demo`: the connections it holds, and what real restarts cost.

    make bench-connections N=1000   # peak PostgreSQL and RabbitMQ connections during the demo
    make bench-connections N=1000 DEMO_RATE=50   # the same at 50 checkouts/s (CPU per pair, p99)
    make bench-restarts N=1000      # the same, restarting RabbitMQ, then PostgreSQL, mid-demo
    .venv/bin/python bench/connections.py --name conn2 &   # a second platform beside the first

Starts `make run`'s platform on databases and a vhost of its own, runs `make demo` against
it and samples pg_stat_activity (by application_name: each function names its
connections) and the broker's connections while it runs. With --restart, once callbacks
flow it restarts RabbitMQ (shutdown, start, await startup), and once they flow again,
PostgreSQL (fast mode: every session is terminated), then reports lost, duplicated and
late callbacks: lost = accepted receipts without both callbacks, duplicated = a party
called back twice (two events) for one receipt, late = delivered more than 2 minutes
after the last restart ended.

It restarts the machine's own PostgreSQL and RabbitMQ: never run it beside `make test`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pg8000.native

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import (
    cpu,
    submissions,
)
from bench.submissions import wait_for
from runtime.run import free_port

VHOST = ""
DATABASES: dict[str, str] = {}
ENV: dict[str, str] = {}


def configure(name: str) -> None:
    """The platform's own databases and vhost (a second run beside the first: another name)."""
    global VHOST
    VHOST = f"receipts-{name}"
    DATABASES.update({model: f"receipts_{model}_{name}" for model in ("write", "read", "sim")})
    ENV.update(
        {
            f"{model.upper()}_DATABASE_URL": f"postgresql+pg8000://postgres@127.0.0.1:5432/{database}"
            for model, database in DATABASES.items()
        }
    )
    ENV.update(
        {
            "AMQP_URL": f"amqp://guest:guest@127.0.0.1:5672/{VHOST}",
            "ADMIN_API_KEY": "bench-admin-key",
            "PLATFORM_SECRET": "bench-platform-secret",
        }
        | submissions.UNLIMITED
    )


LATE_SECONDS = 120


def admin_connection(database: str = "postgres") -> pg8000.native.Connection:
    return pg8000.native.Connection(user="postgres", host="127.0.0.1", database=database)


def rabbitmqctl(*args: str, check: bool = True) -> str:
    return subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, check=check, timeout=120).stdout


def fresh_backing_services() -> None:
    admin = admin_connection()
    for database in DATABASES.values():
        admin.run(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    admin.close()
    rabbitmqctl("delete_vhost", VHOST, check=False)
    rabbitmqctl("add_vhost", VHOST)
    rabbitmqctl("set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*")


class Sampler(threading.Thread):
    """Samples the platform's PostgreSQL connections (every 0.25 s) and broker connections
    (every few seconds: rabbitmqctl is slow), keeping the peaks."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stopping = threading.Event()
        self.peak_total = 0
        self.peak_by_function: Counter[str] = Counter()
        self.at_peak: dict[str, int] = {}
        self.peak_broker = 0

    def run(self) -> None:
        admin, last_broker = None, 0.0
        names = ", ".join(f"'{database}'" for database in DATABASES.values())
        while not self.stopping.wait(0.25):
            try:
                admin = admin or admin_connection()
                rows = admin.run(
                    f"SELECT application_name, count(*) FROM pg_stat_activity"
                    f" WHERE datname IN ({names}) AND pid <> pg_backend_pid() GROUP BY 1"
                )
            except Exception:  # PostgreSQL restarting: sample again when it is back
                admin = None
                continue
            by_function = {name or "?": count for name, count in rows}
            total = sum(by_function.values())
            if total > self.peak_total:
                self.peak_total, self.at_peak = total, by_function
            for name, count in by_function.items():
                self.peak_by_function[name] = max(self.peak_by_function[name], count)
            if time.monotonic() - last_broker > 3:
                last_broker = time.monotonic()
                try:
                    listed = rabbitmqctl("list_connections", "vhost", check=False)
                    self.peak_broker = max(self.peak_broker, sum(line.strip() == VHOST for line in listed.splitlines()))
                except subprocess.TimeoutExpired:
                    pass


def callbacks_received() -> int:
    try:
        connection = admin_connection(DATABASES["sim"])
    except Exception:
        return -1
    try:
        return connection.run("SELECT count(*) FROM sim_callbacks")[0][0]
    except Exception:
        return -1
    finally:
        connection.close()


def wait_for_callbacks(at_least: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callbacks_received() >= at_least:
            return True
        time.sleep(0.5)
    return False


def restart_rabbitmq() -> None:
    rabbitmqctl("shutdown")
    subprocess.run(["rabbitmq-server", "-detached"], capture_output=True, check=True)
    deadline = time.monotonic() + 120
    while subprocess.run(["rabbitmqctl", "-q", "await_startup"], capture_output=True).returncode != 0:
        if time.monotonic() > deadline:  # the node is not even there to wait for, yet
            raise SystemExit("RabbitMQ did not start again within 2 minutes")
        time.sleep(0.5)


def restart_postgresql() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"],
        check=True,
        capture_output=True,
    )


def statements_counted() -> bool:
    """Whether the server counts statements (pg_stat_statements preloaded); its view then
    made available and emptied."""
    admin = admin_connection()
    try:
        if "pg_stat_statements" not in admin.run("SHOW shared_preload_libraries")[0][0]:
            return False
        admin.run("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        admin.run("SELECT pg_stat_statements_reset()")
        return True
    finally:
        admin.close()


def enable_statement_counts() -> None:
    """Preload pg_stat_statements (ALTER SYSTEM, then a restart of the server): asked for
    with --pg-stat-statements, as it changes the machine's PostgreSQL for good."""
    admin = admin_connection()
    try:
        loaded = admin.run("SHOW shared_preload_libraries")[0][0]
        if "pg_stat_statements" in loaded:
            return
        libraries = ", ".join(filter(None, [loaded, "pg_stat_statements"]))
        admin.run(f"ALTER SYSTEM SET shared_preload_libraries = '{libraries}'")
    finally:
        admin.close()
    print("pg_stat_statements: preloaded by ALTER SYSTEM; restarting PostgreSQL", flush=True)
    restart_postgresql()
    deadline = time.monotonic() + 60
    while subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode:
        if time.monotonic() > deadline:
            raise SystemExit("PostgreSQL did not come back after the restart")
        time.sleep(0.5)


def database_work(with_statements: bool) -> dict[str, dict]:
    """Per database of the run: transactions ended so far, and statements executed since
    the reset (None where the server does not count them), with the most frequent ones."""
    admin = admin_connection()
    try:
        names = ", ".join(f"'{database}'" for database in DATABASES.values())
        work = {
            name: {"transactions": count, "statements": None, "top": []}
            for name, count in admin.run(
                f"SELECT datname, xact_commit + xact_rollback FROM pg_stat_database WHERE datname IN ({names})"
            )
        }
        if with_statements:
            for name, calls in admin.run(
                "SELECT d.datname, sum(s.calls) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid"
                f" WHERE d.datname IN ({names}) GROUP BY 1"
            ):
                work[name]["statements"] = int(calls)
            for name, calls, query in admin.run(
                "SELECT d.datname, s.calls, left(regexp_replace(s.query, '\\s+', ' ', 'g'), 90)"
                " FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid"
                f" WHERE d.datname IN ({names}) ORDER BY s.calls DESC LIMIT 40"
            ):
                work[name]["top"].append((int(calls), query))
        return work
    finally:
        admin.close()


def outcome(restarted_at: float | None) -> dict:
    """Lost, duplicated and late callbacks, from the write model and the receivers' log."""
    write, sim = admin_connection(DATABASES["write"]), admin_connection(DATABASES["sim"])
    try:
        rows = write.run("SELECT id, status FROM receipts")
        payments = write.run("SELECT count(*) FROM payments")[0][0]
        calls = sim.run(
            "SELECT receipt_id, party_kind, count(*), max(received_at) FROM sim_callbacks"
            " WHERE receipt_id IS NOT NULL GROUP BY 1, 2"
        )
    finally:
        write.close()
        sim.close()
    # A receipt voided at the till may have been called back before its void, or not: only
    # the others are owed their callbacks.
    owed = {str(receipt) for receipt, status in rows if status != "voided"}
    called = {(str(receipt), kind) for receipt, kind, _count, _last in calls}
    lost = sum((receipt, kind) not in called for receipt in owed for kind in ("bank", "merchant"))
    duplicated = sum(count - 1 for receipt, _kind, count, _last in calls if str(receipt) in owed)
    last = max((last for *_rest, last in calls), default=None)
    result = {
        "receipts": len(rows),
        "voided": len(rows) - len(owed),
        "payments": payments,
        "callbacks": len(called),
        "lost": lost,
        "duplicated": duplicated,
    }
    if restarted_at is not None and last is not None:
        after = last.timestamp() - restarted_at
        result["last_callback_after_restart_s"] = round(after, 1)
        result["late"] = sum(1 for *_rest, at in calls if at.timestamp() - restarted_at > LATE_SECONDS)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkouts", type=int, default=1000)
    parser.add_argument("--restart", action="store_true", help="restart RabbitMQ, then PostgreSQL, mid-demo")
    parser.add_argument("--rate", type=float, default=0, help="checkouts per second (0: as fast as they go)")
    parser.add_argument("--name", default="conn", help="names its databases and vhost (two runs side by side)")
    parser.add_argument(
        "--pg-stat-statements",
        action="store_true",
        help="preload pg_stat_statements (ALTER SYSTEM and a restart of PostgreSQL) to count statements",
    )
    args = parser.parse_args()
    configure(args.name)
    if args.pg_stat_statements:
        enable_statement_counts()

    fresh_backing_services()
    port = free_port()
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    log = (ROOT / "bench" / "results" / f"connections-{args.name}-platform.log").open("w")
    env = {**os.environ, **ENV, "GATEWAY_PORT": str(port)}
    platform = subprocess.Popen(
        [sys.executable, "-m", "runtime.run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    sampler = Sampler()
    demo = None
    try:
        wait_for(f"{url}/healthz", timeout=90)
        sampler.start()
        counting = statements_counted()
        work_before = database_work(counting)
        cpu_before = cpu.snapshot(platform.pid)
        demo_started = time.monotonic()
        demo = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "runtime.demo",
                "--checkouts",
                str(args.checkouts),
                "--rate",
                str(args.rate),
                "--url",
                url,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        restarted_at = None
        if args.restart:
            if not wait_for_callbacks(args.checkouts // 3, timeout=300):
                raise SystemExit("callbacks never flowed")
            started = time.time()
            restart_rabbitmq()
            print(f"RabbitMQ restarted in {time.time() - started:.1f} s ({datetime.now(UTC):%H:%M:%S})", flush=True)
            flowing = callbacks_received()
            if not wait_for_callbacks(flowing + 100, timeout=180):
                print("callbacks did not flow again within 3 minutes of RabbitMQ's restart", flush=True)
            started = time.time()
            restart_postgresql()
            restarted_at = time.time()
            print(f"PostgreSQL restarted in {restarted_at - started:.1f} s ({datetime.now(UTC):%H:%M:%S})", flush=True)
        summary, _ = demo.communicate(timeout=900)
        print(summary.strip())
        took = time.monotonic() - demo_started
        print(f"make demo took {took:.1f} s from start to the last callback")
        if not args.rate and not args.restart:  # as fast as they go: what this machine sustains
            print(
                f"saturation rate          {args.checkouts / took:.1f} checkouts/s (matched pairs called back per"
                " second, simulated parties on the same cores)"
            )
        spent = cpu.difference(cpu.snapshot(platform.pid), cpu_before)
        time.sleep(2)  # backends report their transactions to the statistics within a second or so
        work_after = database_work(counting)
    finally:
        sampler.stopping.set()
        if demo is not None and demo.poll() is None:
            demo.kill()
        platform.terminate()
        platform.wait(timeout=30)
    report = outcome(restarted_at)
    print(f"\nPostgreSQL connections, peak {sampler.peak_total} (the platform's three databases); at that moment:")
    for name, count in sorted(sampler.at_peak.items(), key=lambda item: -item[1]):
        print(f"  {name:<24} {count}")
    print(f"broker connections in {VHOST}, peak {sampler.peak_broker} (sampled every 3 s)")
    print(f"callbacks: {report}")
    if not args.restart and report["callbacks"]:
        # The yardstick, measured in the same run: a bare functions-framework hello world.
        submissions.ensure_wrk()
        hello_ms = submissions.hello_world(5, 16, 1)["cpu_ms_per_request"]
        pairs = report["callbacks"] / 2
        platform_ms = {
            label: value * 1000 / pairs
            for label, value in spent.items()
            if not label.startswith("sim_") and value * 1000 / pairs >= 0.005
        }
        print(
            "\nCPU per matched pair, platform processes (simulated parties left out; PostgreSQL and RabbitMQ"
            f" include their work for them), beside hello world's {hello_ms:.2f} ms per request:"
        )
        for label, value in sorted(platform_ms.items(), key=lambda item: -item[1]):
            print(f"  {label:28}{value:>8.2f} ms{value / hello_ms:>8.1f}x")
        total = sum(platform_ms.values())
        print(
            f"  {'platform':28}{total:>8.2f} ms{total / hello_ms:>8.1f}x "
            f"(simulated parties: {sum(v for k, v in spent.items() if k.startswith('sim_')) * 1000 / pairs:.2f} ms)"
        )
        print(
            f"  a callback (deliver_callbacks, 2 per pair) {platform_ms.get('deliver_callbacks', 0) / 2 / hello_ms:.1f}x"
            " a hello-world request"
        )
    if not args.restart and report["callbacks"]:
        pairs = report["callbacks"] / 2
        print(
            "\nPostgreSQL per matched pair (transactions from pg_stat_database; statements from"
            " pg_stat_statements"
            + ("" if counting else ", not preloaded: make bench-connections PG_STAT_STATEMENTS=1")
            + "):"
        )
        for model, database in DATABASES.items():
            before, after = work_before.get(database, {}), work_after.get(database, {})
            transactions = (after.get("transactions") or 0) - (before.get("transactions") or 0)
            statements = after.get("statements")
            counted = f"{statements / pairs:>8.1f} statements" if statements is not None else ""
            print(f"  {model:6} {transactions / pairs:>8.1f} transactions{counted}")
        if counting:
            print("  most frequent statements (calls per pair):")
            for model, database in DATABASES.items():
                for calls, query in work_after.get(database, {}).get("top", [])[:6]:
                    print(f"    {model:6}{calls / pairs:>6.1f}  {query}")
    if report["lost"] or report["duplicated"] or report.get("late"):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
