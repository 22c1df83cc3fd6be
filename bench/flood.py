"""One merchant flooding the platform while another submits beside it (SPEC §15).

    make bench-flood                 # or: .venv/bin/python bench/flood.py --seconds 20

A merchant sends receipts as fast as 24 connections can (wrk) while another submits 2 a
second; then four merchants flood at once, 24 connections each. The platform runs as `make
run` runs it, with its default limits, on databases of its own (receipts_*_bench).
Reported: each flood's 201s and 429s (and how many 429s said Retry-After), whether every
receipt a flooder got a 201 for is stored, and the other merchant's latencies and
failures. Results: stdout and bench/results/flood.json.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pg8000.native

from bench.submissions import BENCH_ENV, UNLIMITED, ensure_vhost, ensure_wrk, fresh_databases, wait_for
from runtime import gateway_metrics
from runtime.run import free_port
from shared.platform.config import GatewaySettings
from tests.support import receipt_body

CONNECTIONS = 24
STEADY_INTERVAL_SECONDS = 0.5


def onboard(url: str, name: str) -> dict:
    response = requests.post(
        f"{url}/v1/admin/merchants",
        json={"name": name, "callback_url": "http://127.0.0.1:9/callbacks"},
        headers={"Authorization": f"Bearer {BENCH_ENV['ADMIN_API_KEY']}"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def flood(url: str, key: str, seconds: int) -> subprocess.Popen:
    return subprocess.Popen(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", str(ROOT / "bench/flood.lua"), url],
        env={**os.environ, "RECEIPTS_KEY": key},
        stdout=subprocess.PIPE,
        text=True,
    )


def counted(process: subprocess.Popen) -> dict:
    output, _ = process.communicate(timeout=120)
    line = next(line for line in output.splitlines() if line.startswith("FLOOD "))
    return json.loads(line.removeprefix("FLOOD "))


def stored(merchant_id: str) -> int:
    database = BENCH_ENV["WRITE_DATABASE_URL"].rsplit("/", 1)[1]
    connection = pg8000.native.Connection(user="postgres", host="127.0.0.1", database=database)
    try:
        return connection.run("SELECT count(*) FROM receipts WHERE merchant_id = :id", id=merchant_id)[0][0]
    finally:
        connection.close()


def counted_by_gateway_metrics() -> float:
    """What the platform's gateway-metrics counted of the submissions refused."""
    log = (ROOT / "bench/results/flood-platform.log").read_text().splitlines()
    port = json.loads(next(line for line in log if '"platform.ready"' in line))["gateway_metrics"]
    time.sleep(gateway_metrics.COUNT_SECONDS + 1)  # it counts what the gateway wrote every few seconds
    metrics = requests.get(f"http://127.0.0.1:{port}/_/metrics", timeout=30).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith('receipts_rate_limited_total{class="submit"}')
    )


def steady(url: str, key: str, stop: threading.Event) -> list[tuple[int, float]]:
    """A receipt every STEADY_INTERVAL_SECONDS until stop: (status, seconds) of each."""
    answers = []
    with requests.Session() as session:
        while not stop.wait(STEADY_INTERVAL_SECONDS):
            started = time.perf_counter()
            try:
                status = session.post(
                    f"{url}/v1/receipts", json=receipt_body(), headers={"Authorization": f"Bearer {key}"}, timeout=30
                ).status_code
            except requests.RequestException:
                status = 0
            answers.append((status, time.perf_counter() - started))
    return answers


def round_of(url: str, flooders: int, seconds: int) -> dict:
    merchants = [onboard(url, f"Flooder {index}") for index in range(flooders)]
    other = onboard(url, "Steady cafe")
    stop, answers = threading.Event(), []
    beside = threading.Thread(target=lambda: answers.extend(steady(url, other["api_key"], stop)))
    beside.start()
    floods = [flood(url, merchant["api_key"], seconds) for merchant in merchants]
    results = [counted(process) for process in floods]
    stop.set()
    beside.join()
    latencies = sorted(seconds for status, seconds in answers)
    for merchant, result in zip(merchants, results, strict=True):
        result["stored"] = stored(merchant["id"])
        result["created_per_second"] = round(result["created"] / seconds, 1)
        result["none_lost"] = result["stored"] >= result["created"]
    return {
        "flooders": results,
        "other": {
            "receipts": len(answers),
            "failed": sum(1 for status, _ in answers if status != 201),
            "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 1),
            "max_ms": round(latencies[-1] * 1000, 1),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="one merchant flooding, another beside it")
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    ensure_wrk()
    ensure_vhost()
    fresh_databases()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    limits = {name: "" for name in UNLIMITED}  # the defaults, as a deployment has them
    (ROOT / "bench/results").mkdir(exist_ok=True)
    log = (ROOT / "bench/results/flood-platform.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "runtime.run"],
        cwd=ROOT,
        env={**os.environ, **BENCH_ENV, **limits, "GATEWAY_PORT": str(port)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"{url}/healthz")
        rounds = {}
        for flooders in (1, 4):
            print(f"{flooders} merchant(s) flooding for {args.seconds} s, another submitting 2 a second ...")
            rounds[flooders] = result = round_of(url, flooders, args.seconds)
            for index, flood_result in enumerate(result["flooders"]):
                print(f"  flooder {index}: {json.dumps(flood_result)}")
            print(f"  the other merchant: {json.dumps(result['other'])}")
        refused = sum(flood["limited"] for result in rounds.values() for flood in result["flooders"])
        counted = counted_by_gateway_metrics()
        print(f'receipts_rate_limited_total{{class="submit"}}: {counted:.0f} (wrk saw {refused} 429s)')
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait()
    report = {"limits": GatewaySettings.from_env({}).rate_limits, "seconds": args.seconds, "rounds": rounds}
    (ROOT / "bench/results/flood.json").write_text(json.dumps(report, indent=2))
    failed = [
        f"{flooders} flooding: {problem}"
        for flooders, result in rounds.items()
        for problem in (
            ["a 201 not stored"] * (not all(flood["none_lost"] for flood in result["flooders"]))
            + ["a 429 without Retry-After"]
            * any(flood["retry_after"] != flood["limited"] for flood in result["flooders"])
            + [f"the other merchant's p99 {result['other']['p99_ms']} ms"] * (result["other"]["p99_ms"] >= 1000)
            + [f"the other merchant failed {result['other']['failed']} times"] * (result["other"]["failed"] > 0)
        )
    ]
    if failed:
        raise SystemExit("; ".join(failed))


if __name__ == "__main__":
    main()
