"""Projection lag and projector throughput, beside a bare CloudEvent hello world.

    make bench-projection          # or: .venv/bin/python bench/projection.py --rate 200 --seconds 15

1. lag: receipts submitted through the gateway at a steady --rate; lag = projected_at -
   submitted_at of each row in the read model (submitted_at is stamped just before the
   write transaction commits, so the figure slightly overstates the lag).
2. throughput, direct: wrk POSTs receipt CloudEvents (16 connections) straight to the
   project_read_model function, and the same load to a bare CloudEvent hello world.
3. throughput, through the broker: a backlog of events drained by one queue trigger
   into project_read_model, and the same backlog into the hello world.

Everything runs against databases and a RabbitMQ vhost of its own (receipts_*_bench).
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
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.submissions import BENCH_ENV as ENV
from bench.submissions import ensure_vhost, ensure_wrk, wait_for, wrk

os.environ.update(ENV)
from runtime.run import free_port
from shared.platform import bus


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def start_function(target: str, source: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "functions_framework",
            "--target",
            target,
            "--source",
            str(source),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env={**os.environ, "XDG_RUNTIME_DIR": f"/tmp/bench-{target}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.makedirs(f"/tmp/bench-{target}", exist_ok=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(urllib.request.Request(url, b"{}", {"Content-Type": bus.CONTENT_TYPE}), timeout=2)
        except urllib.error.HTTPError:
            break  # it answered (400 for an empty event): it is serving
        except OSError:
            time.sleep(0.1)
    return process, url


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=15)


def direct_throughput(seconds: int, connections: int) -> dict:
    script = ROOT / "bench/receipt_event.lua"
    results = {}
    for name, target, source in (
        ("hello_event", "hello_event", ROOT / "bench/hello_event/main.py"),
        ("project_read_model", "project_read_model", ROOT / "functions/project_read_model/main.py"),
    ):
        process, url = start_function(target, source)
        try:
            wrk(url, 2, connections, script)  # warm-up
            results[name] = wrk(url, seconds, connections, script)
        finally:
            stop(process)
    return results


def backlog(consumer: bus.Consumer, events: int) -> None:
    connection = bus.connect()
    channel = connection.channel()
    consumer.declare(channel)
    channel.queue_purge(consumer.queue)
    merchant = str(uuid.uuid4())
    for _ in range(events):
        receipt = str(uuid.uuid4())
        event = bus.envelope(
            uuid.uuid4(),
            "receipts.receipt.submitted.v1",
            receipt,
            datetime.now(UTC),
            {
                "id": receipt,
                "merchant_id": merchant,
                "merchant_receipt_id": f"DRAIN-{receipt[:8]}",
                "status": "unmatched",
                "issued_at": "2026-11-26T13:45:10+01:00",
                "currency": "EUR",
                "lines": [{"description": "Espresso", "sku": None, "quantity": 1, "unit_price": 250, "amount": 250}],
                "totals": {"subtotal": 250, "tax": 0, "tip": 0, "total": 250},
                "payments": [
                    {
                        "masked_pan": "412345******1234",
                        "auth_code": "A1B2C3",
                        "amount": 250,
                        "currency": "EUR",
                        "transaction_date": "2026-11-26",
                        "transaction_time": "13:45:02",
                        "terminal_id": "T1",
                        "rrn": "633012345678",
                        "scheme": None,
                    }
                ],
                "bank_ids": [],
                "submitted_at": datetime.now(UTC).isoformat(),
                "version": 1,
            },
        )
        channel.basic_publish("", consumer.queue, json.dumps(event).encode(), bus.properties(event))
    connection.close()


def queue_depth(consumer: bus.Consumer) -> int:
    connection = bus.connect()
    try:
        return connection.channel().queue_declare(consumer.queue, passive=True).method.message_count
    finally:
        connection.close()


def drain_throughput(events: int) -> dict:
    consumer = bus.Consumer("bench-drain", ("bench.drain.none",))
    results = {}
    for name, target, source in (
        ("hello_event", "hello_event", ROOT / "bench/hello_event/main.py"),
        ("project_read_model", "project_read_model", ROOT / "functions/project_read_model/main.py"),
    ):
        process, url = start_function(target, source)
        backlog(consumer, events)
        from runtime.queue_trigger import Invoker, QueueTrigger

        trigger = QueueTrigger(consumer, Invoker(url, 30), concurrency=8)
        thread = threading.Thread(target=trigger.run, daemon=True)
        started = time.monotonic()
        thread.start()
        while queue_depth(consumer) > 0:
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        trigger.stop()
        thread.join(timeout=10)
        stop(process)
        results[name] = {"events": events, "seconds": round(elapsed, 2), "events_per_second": round(events / elapsed)}
    return results


def lag(rate: int, seconds: int, warmup: int) -> dict:
    port = free_port()
    log = (ROOT / "bench/results/platform-projection.log").open("w")
    platform = subprocess.Popen(
        [sys.executable, "-m", "runtime.run"],
        cwd=ROOT,
        env={**os.environ, "GATEWAY_PORT": str(port)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/healthz")
        request = urllib.request.Request(
            f"{url}/v1/admin/merchants",
            json.dumps({"name": "Lag Cafe", "callback_url": "http://127.0.0.1:9/callbacks"}).encode(),
            {"Authorization": "Bearer bench-admin-key", "Content-Type": "application/json"},
            method="POST",
        )
        merchant = json.load(urllib.request.urlopen(request))
        from tests.support import receipt_body

        # The first `warmup` seconds open the pools, connections and prepared statements of
        # every serving thread; the lag is measured on what is submitted after them.
        bodies = [json.dumps(receipt_body(pan="4123450000001234")).encode() for _ in range(rate * (warmup + seconds))]
        headers = {"Authorization": f"Bearer {merchant['api_key']}", "Content-Type": "application/json"}
        start = time.monotonic() + 0.5
        failures = []

        def send(index: int) -> None:
            # Steady pacing: request i leaves at start + i/rate, whatever the others do.
            delay = start + index / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            try:
                urllib.request.urlopen(urllib.request.Request(f"{url}/v1/receipts", bodies[index], headers), timeout=10)
            except OSError as error:
                failures.append(error)

        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(32) as pool:
            list(pool.map(send, range(len(bodies))))
        sent_for = time.monotonic() - start

        from sqlalchemy import create_engine, text

        from shared.platform.dialect import prepared_url

        engine = create_engine(prepared_url(ENV["READ_DATABASE_URL"]))
        query = text(
            "SELECT extract(epoch FROM projected_at - submitted_at) * 1000 AS lag_ms, submitted_at"
            " FROM receipt_views WHERE merchant_id = :merchant ORDER BY submitted_at"
        )
        deadline = time.monotonic() + 60
        while True:
            with engine.connect() as connection:
                rows = connection.execute(query, {"merchant": merchant["id"]}).all()
            if len(rows) >= len(bodies) - len(failures) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        engine.dispose()
        measured_from = rows[0].submitted_at.timestamp() + warmup
        lags = [float(row.lag_ms) for row in rows if row.submitted_at.timestamp() >= measured_from]
        return {
            "rate_asked": rate,
            "rate_sent": round(len(bodies) / sent_for),
            "submitted": len(bodies),
            "failed": len(failures),
            "projected": len(rows),
            "measured": len(lags),
            "warmup_seconds": warmup,
            "lag_p50_ms": round(percentile(lags, 0.50), 1),
            "lag_p99_ms": round(percentile(lags, 0.99), 1),
            "lag_max_ms": round(max(lags), 1),
            "lag_mean_ms": round(statistics.mean(lags), 1),
        }
    finally:
        platform.send_signal(signal.SIGTERM)
        platform.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="projection lag and projector throughput")
    parser.add_argument("--rate", type=int, default=200, help="submissions per second for the lag run")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3, help="seconds of load before the lag is measured")
    parser.add_argument("--only-lag", action="store_true")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--backlog", type=int, default=10000, help="events drained through the queue trigger")
    args = parser.parse_args()
    ensure_wrk()
    ensure_vhost()
    (ROOT / "bench/results").mkdir(exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "runtime.run", "migrate"],
        cwd=ROOT,
        env=os.environ,
        check=True,
        stdout=subprocess.DEVNULL,
    )

    print(f"lag at {args.rate} submissions/s through the gateway, {args.seconds}s ...", flush=True)
    lag_result = lag(args.rate, args.seconds, args.warmup)
    print(
        f"\nprojection lag at {lag_result['rate_sent']}/s, after {args.warmup}s of warm-up: "
        f"p50 {lag_result['lag_p50_ms']} ms, p99 {lag_result['lag_p99_ms']} ms, max {lag_result['lag_max_ms']} ms "
        f"({lag_result['projected']}/{lag_result['submitted']} projected, {lag_result['failed']} failed)",
        flush=True,
    )
    if args.only_lag:
        return
    print(f"direct throughput (wrk, {args.connections} connections, {args.seconds}s each) ...", flush=True)
    direct = direct_throughput(args.seconds, args.connections)
    print(f"drain throughput ({args.backlog} queued events through one queue trigger) ...", flush=True)
    drain = drain_throughput(args.backlog)

    print()
    hello, projector = direct["hello_event"], direct["project_read_model"]
    print(
        f"direct:  hello_event {hello['requests_per_second']:.0f}/s, project_read_model "
        f"{projector['requests_per_second']:.0f}/s ({projector['requests_per_second'] / hello['requests_per_second']:.0%})"
        f", p99 {projector['p99_ms']:.1f} ms, non-2xx {projector['non_2xx']}"
    )
    print(
        f"drained: hello_event {drain['hello_event']['events_per_second']}/s, project_read_model "
        f"{drain['project_read_model']['events_per_second']}/s "
        f"({drain['project_read_model']['events_per_second'] / drain['hello_event']['events_per_second']:.0%})"
    )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (ROOT / f"bench/results/projection-{stamp}.json").write_text(
        json.dumps({"lag": lag_result, "direct": direct, "drain": drain}, indent=2)
    )


if __name__ == "__main__":
    main()
