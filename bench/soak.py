"""`make soak MINUTES=30 RATE=20`: one platform under `make demo` at a steady rate for a long while.

Starts `make run`'s platform on databases and a vhost of its own (as bench/connections.py),
drives RATE checkouts a second for MINUTES, and every 30 s samples the resident memory of
each of its processes (by part, as bench/cpu.py names them; PostgreSQL: the backends of
its databases) and its PostgreSQL connections. At the end it prints how each grew after
the first window (5 minutes, or a third of a shorter run), the p99 end-to-end latency
(submitted → both callbacks received) of the last window beside the first, and what was
lost or duplicated. Growth under 10 % and a p99 within 1.5× are the targets.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import connections, cpu
from bench.submissions import wait_for
from runtime.run import free_port

SAMPLE_EVERY_SECONDS = 30


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory(root: int) -> Counter:
    """Resident memory (MiB) of the platform's processes by part, and of PostgreSQL's backends serving it."""
    totals: Counter = Counter()
    for pid, part in cpu.parts(root).items():
        totals[part] += rss_kib(pid) / 1024
    admin = connections.admin_connection()
    try:
        databases = ", ".join(f"'{database}'" for database in connections.DATABASES.values())
        backends = admin.run(
            f"SELECT pid FROM pg_stat_activity WHERE datname IN ({databases}) AND pid <> pg_backend_pid()"
        )
    finally:
        admin.close()
    totals["PostgreSQL backends"] = sum(rss_kib(pid) for (pid,) in backends) / 1024
    totals["PostgreSQL connections"] = len(backends)
    return totals


def latencies(started: float) -> list[tuple[float, float]]:
    """(seconds into the run it was taken, seconds until both callbacks) of each receipt."""
    write = connections.admin_connection(connections.DATABASES["write"])
    sim = connections.admin_connection(connections.DATABASES["sim"])
    try:
        submitted = {str(receipt): at.timestamp() for receipt, at in write.run("SELECT id, created_at FROM receipts")}
        called = {
            str(receipt): last.timestamp()
            for receipt, last in sim.run(
                "SELECT receipt_id, max(received_at) FROM sim_callbacks WHERE receipt_id IS NOT NULL"
                " GROUP BY 1 HAVING count(DISTINCT party_kind) = 2"
            )
        }
    finally:
        write.close()
        sim.close()
    return sorted((at - started, called[receipt] - at) for receipt, at in submitted.items() if receipt in called)


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--rate", type=float, default=20, help="checkouts per second (half the saturation rate)")
    args = parser.parse_args()
    connections.configure("soak")
    connections.fresh_backing_services()
    window = min(300.0, args.minutes * 60 / 3)
    port = free_port()
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    log = (ROOT / "bench" / "results" / "soak-platform.log").open("w")
    env = {**os.environ, **connections.ENV, "GATEWAY_PORT": str(port)}
    platform = subprocess.Popen(
        [sys.executable, "-m", "runtime.run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/healthz", timeout=90)
        started = time.time()
        checkouts = int(args.rate * args.minutes * 60)
        demo = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "runtime.demo",
                "--checkouts",
                str(checkouts),
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
        samples = []
        print(
            f"soak: {checkouts} checkouts at {args.rate:g}/s for {args.minutes:g} min; a sample every"
            f" {SAMPLE_EVERY_SECONDS} s",
            flush=True,
        )
        while demo.poll() is None:
            samples.append((time.time() - started, memory(platform.pid)))
            elapsed, sample = samples[-1]
            print(
                f"  {elapsed / 60:5.1f} min  RSS {sum(v for k, v in sample.items() if 'connections' not in k):7.0f}"
                f" MiB  PostgreSQL connections {sample['PostgreSQL connections']:3.0f}",
                flush=True,
            )
            try:
                demo.wait(timeout=SAMPLE_EVERY_SECONDS)
            except subprocess.TimeoutExpired:
                pass
        summary = demo.stdout.read()
        report = connections.outcome(None)
        timings = latencies(started)
    finally:
        platform.terminate()
        platform.wait(timeout=30)
    print(summary.strip())
    baseline = next((sample for at, sample in samples if at >= window), samples[0][1])
    final = samples[-1][1]
    print(f"\ngrowth after the first {window / 60:g} min (target: under 10 %):")
    for part in sorted(final, key=lambda name: -final[name]):
        if baseline.get(part):
            print(f"  {part:28}{baseline[part]:>9.1f} → {final[part]:>9.1f}  {final[part] / baseline[part] - 1:+7.1%}")
    end = max((at for at, _ in timings), default=0)
    first = p99([latency for at, latency in timings if at <= window])
    last = p99([latency for at, latency in timings if at >= end - window])
    print(
        f"p99 end to end: first {window / 60:g} min {first * 1000:.0f} ms, last {window / 60:g} min"
        f" {last * 1000:.0f} ms ({last / first:.2f}x; target: within 1.5x)"
    )
    print(f"callbacks: {report}")
    if report["lost"] or report["duplicated"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
