"""What a Prometheus scrape of each function costs (SPEC §13: under 20 ms).

    make bench-scrape [N=300]

Starts `make run`'s platform on databases and a vhost of its own, runs `make demo N=…`
against it so that every counter and histogram has series, then scrapes each function's
`GET /_/metrics` SCRAPES times, one after another, as Prometheus does: the time each
scrape took (p50, max), the CPU the function's processes spent per scrape (from /proc),
and the size of the answer. The gauges sampled at scrape time (outbox, queues,
ambiguities) are read from the databases and the broker then.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import connections, cpu
from bench.submissions import wait_for
from runtime.run import free_port

SCRAPES = 50


def function_ports(log: Path) -> dict[str, int]:
    ready = next(line for line in log.read_text().splitlines() if '"platform.ready"' in line)
    return json.loads(ready)["functions"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkouts", type=int, default=300)
    parser.add_argument("--scrapes", type=int, default=SCRAPES)
    args = parser.parse_args()
    connections.configure("scrape")
    connections.fresh_backing_services()
    port = free_port()
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    log_path = ROOT / "bench" / "results" / "scrape-platform.log"
    env = {**os.environ, **connections.ENV, "GATEWAY_PORT": str(port)}
    with log_path.open("w") as log:
        platform = subprocess.Popen(
            [sys.executable, "-m", "runtime.run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/healthz", timeout=90)
        demo = subprocess.run(
            [sys.executable, "-m", "runtime.demo", "--checkouts", str(args.checkouts), "--url", url],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if demo.returncode:
            raise SystemExit(f"make demo failed:\n{demo.stdout}\n{demo.stderr}")
        time.sleep(3)  # the last callbacks' events projected, the platform quiet again
        stack_names = {name.replace("-", "_"): name for name in function_ports(log_path)}
        print(f"GET /_/metrics, {args.scrapes} scrapes of each function after make demo N={args.checkouts}:")
        print(f"  {'function':26}{'p50 ms':>8}{'max ms':>8}{'CPU ms':>8}{'bytes':>8}")
        worst = 0.0
        for target, name in sorted(stack_names.items()):
            metrics_url = f"http://127.0.0.1:{function_ports(log_path)[name]}/_/metrics"
            urllib.request.urlopen(metrics_url, timeout=10).read()  # a first scrape opens its connections
            before = cpu.snapshot(platform.pid)[target]
            took = []
            for _ in range(args.scrapes):
                started = time.perf_counter()
                size = len(urllib.request.urlopen(metrics_url, timeout=10).read())
                took.append((time.perf_counter() - started) * 1000)
            spent = (cpu.snapshot(platform.pid)[target] - before) * 1000 / args.scrapes
            worst = max(worst, statistics.median(took))
            print(f"  {name:26}{statistics.median(took):>8.2f}{max(took):>8.2f}{spent:>8.2f}{size:>8}")
        print(f"the slowest function's p50: {worst:.2f} ms (SPEC §13's budget: 20 ms)")
    finally:
        platform.terminate()
        platform.wait(timeout=30)


if __name__ == "__main__":
    main()
