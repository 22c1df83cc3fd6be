"""Receipts/s through the gateway beside a bare functions-framework hello world.

    make bench                      # or: .venv/bin/python bench/submissions.py --seconds 15

Both are driven by wrk (installed from Debian's packages if missing) at the same number of
connections, in the same run, on the same machine. The platform runs as `make run` runs
it, against databases of its own (receipts_*_bench). Results: stdout and bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pg8000.native

from bench import cpu
from runtime import certs
from runtime.run import free_port
from shared.platform.config import RATE_LIMITS

BASE = "postgresql+pg8000://postgres:postgres@127.0.0.1:5432"
VHOST = "receipts-bench"
# What the platform serves is measured, not the gateway's limits (bench/flood.py measures those).
UNLIMITED = {f"RATE_LIMIT_{name.upper()}": "1000000" for name in RATE_LIMITS}
BENCH_ENV = {
    "WRITE_DATABASE_URL": f"{BASE}/receipts_write_bench",
    "READ_DATABASE_URL": f"{BASE}/receipts_read_bench",
    "AMQP_URL": f"amqp://guest:guest@127.0.0.1:5672/{VHOST}",
    "ADMIN_API_KEY": "bench-admin-key",
    "PLATFORM_SECRET": "bench-platform-secret",
    **UNLIMITED,
}


def ensure_vhost() -> None:
    """A fresh RabbitMQ vhost: no backlog of an earlier run may sit in front of this one."""
    for command in (
        ["delete_vhost", VHOST],
        ["add_vhost", VHOST],
        ["set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*"],
    ):
        subprocess.run(["rabbitmqctl", "-q", *command], capture_output=True)


def fresh_databases() -> None:
    """Empty bench databases: rows of earlier runs would change what each match looks at."""
    admin = pg8000.native.Connection(user="postgres", host="127.0.0.1", database="postgres")
    try:
        for name in ("receipts_write_bench", "receipts_read_bench"):
            admin.run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        admin.close()


def ensure_wrk() -> str:
    if not shutil.which("wrk"):
        print("wrk not found: installing it from Debian's packages", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk")


def wait_for(url: str, timeout: float = 60.0, context: ssl.SSLContext | None = None) -> None:
    """Until url answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2, context=context)
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer in {timeout}s")


def wrk(url: str, seconds: int, connections: int, script: Path | None = None, env: dict | None = None) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script:
        command[1:1] = ["-s", str(script)]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}
    ).stdout

    def latency_ms(percentile: str) -> float:
        value, unit = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency_ms("50"),
        "p99_ms": latency_ms("99"),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
    }


def hello_world(seconds: int, connections: int, workers: int) -> dict:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "functions_framework",
            "--target",
            "hello",
            "--source",
            str(ROOT / "bench/hello/main.py"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env={**os.environ, "WORKERS": str(workers)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/")
        wrk(f"http://127.0.0.1:{port}/", 2, connections)  # warm-up
        before = cpu.tree_seconds(process.pid)
        result = wrk(f"http://127.0.0.1:{port}/", seconds, connections)
        result["cpu_ms_per_request"] = (cpu.tree_seconds(process.pid) - before) * 1000 / result["requests"]
        return result
    finally:
        process.terminate()
        process.wait()


def counts() -> tuple[int, int, int]:
    """Receipts in the write model, in the read model, and events still queued for the
    receipts' consumers."""
    write = pg8000.native.Connection(user="postgres", host="127.0.0.1", database="receipts_write_bench")
    read = pg8000.native.Connection(user="postgres", host="127.0.0.1", database="receipts_read_bench")
    try:
        written = write.run("SELECT count(*) FROM receipts")[0][0]
        projected = read.run("SELECT count(*) FROM receipt_views")[0][0]
    finally:
        write.close()
        read.close()
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_queues", "-p", VHOST, "name", "messages"], capture_output=True, text=True
    ).stdout.split()
    queued = sum(
        int(count)
        for name, count in zip(listed[::2], listed[1::2])
        if name in ("receipts.match", "receipts.project-read-model")
    )
    return written, projected, queued


def analyze() -> None:
    """Table statistics as a running platform has them (autovacuum keeps them): the tables
    were empty a few seconds ago, and plans made for empty tables scan whole tables once
    they are not (ANALYZE also makes every cached plan be made again)."""
    for database in ("receipts_write_bench", "receipts_read_bench"):
        connection = pg8000.native.Connection(user="postgres", host="127.0.0.1", database=database)
        try:
            connection.run("ANALYZE")
        finally:
            connection.close()


def drained(timeout: float = 120.0) -> int:
    """Wait until every receipt is projected and matched (queues empty); their number."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        written, projected, queued = counts()
        if written == projected and queued == 0:
            return written
        time.sleep(0.5)
    raise SystemExit("the pipeline did not drain")


# The receipts a run can send: the SPEC §4 shape, paid by a card, a phone wallet or in the
# cardholder's currency (DCC), or a European till's (VAT per rate, a discount, half of the
# slips with the last 4 card digits only).
SCRIPTS = {
    "plain": "bench/receipt_distinct.lua",
    "wallet": "bench/receipt_distinct.lua",
    "dcc": "bench/receipt_distinct.lua",
    "vat": "bench/receipt_vat.lua",
}
LABELS = {
    "plain": "POST /v1/receipts via gateway",
    "wallet": "  the same, paid by a wallet",
    "dcc": "  the same, DCC",
    "vat": "  the same, VAT per rate",
}


def till_documents(document_format: str, count: int, given: Path | None = None) -> Path:
    """count receipts of the simulated till (distinct card data), as that format's till sends
    them, one per line: what bench/documents.lua posts. given: a folder holding such a file
    already (another checkout's, to measure two versions on the same documents)."""
    import random

    from shared.simulation import parties

    if given:
        return given / f"documents-{document_format}.txt"
    rng = random.Random(22)
    path = ROOT / f"bench/results/documents-{document_format}.txt"
    with path.open("wb") as lines:
        for number in range(count):
            invoice = parties.ring_up(rng)
            total = invoice["totals"]["total"]
            pan = "4" + "".join(rng.choices("0123456789", k=15))
            card = {
                "masked_pan": "************" + pan[-4:] if number % 2 else pan[:6] + "******" + pan[-4:],
                "auth_code": "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", k=6)),
                "amount": total,
                "currency": "EUR",
                "transaction_date": f"2026-11-{rng.randint(1, 26):02d}",
                "transaction_time": "13:45:10",
                "terminal_id": f"T{rng.randint(1, 9999999):07d}",
                "rrn": f"6330{rng.randint(0, 99999999):08d}",
            }
            receipt = {
                "merchant_receipt_id": f"BENCH-{document_format.upper()}-{number}",
                "issued_at": f"{card['transaction_date']}T13:45:10+01:00",
                "currency": "EUR",
                **invoice,
                "payments": [card],
            }
            body, _ = parties.till_document(receipt, document_format)
            lines.write(body.replace(b"\n", b"") + b"\n")
    return path


def receipts_through_gateway(
    seconds: int,
    connections: int,
    workers: int,
    receipt: str = "plain",
    document_format: str | None = None,
    documents: Path | None = None,
    tls: certs.Certificates | None = None,
) -> dict:
    """tls: the gateway serves HTTPS with these certificates (wrk speaks TLS to it)."""
    port = free_port()
    log = (ROOT / "bench/results/platform.log").open("w")
    served = {"GATEWAY_TLS_CERT": str(tls.gateway_cert), "GATEWAY_TLS_KEY": str(tls.gateway_key)} if tls else {}
    process = subprocess.Popen(
        [sys.executable, "-m", "runtime.run"],
        cwd=ROOT,
        env={**os.environ, **BENCH_ENV, **served, "GATEWAY_PORT": str(port), "WORKERS": str(workers)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    context = ssl.create_default_context(cafile=tls.ca) if tls else None
    try:
        wait_for(f"{url}/healthz", context=context)
        request = urllib.request.Request(
            f"{url}/v1/admin/merchants",
            method="POST",
            data=json.dumps({"name": "Bench Cafe", "callback_url": "http://127.0.0.1:9/callbacks"}).encode(),
            headers={"Authorization": "Bearer bench-admin-key", "Content-Type": "application/json"},
        )
        key = json.load(urllib.request.urlopen(request, context=context))["api_key"]
        script, env = ROOT / SCRIPTS[receipt], {"RECEIPTS_KEY": key, "RECEIPT_KIND": receipt}
        if document_format:
            from shared import formats

            script = ROOT / "bench/documents.lua"
            env |= {
                "RECEIPTS_THREADS": "2",
                "RECEIPTS_TYPE": formats.OFFERED[document_format],
                "RECEIPTS_FILE": str(till_documents(document_format, 400 * (seconds + 3) + 1000, documents)),
            }
        wrk(url, 3, connections, script, env)  # warm-up
        drained()
        analyze()
        before_count, before_cpu = drained(), cpu.snapshot(process.pid)
        result = wrk(url, seconds, connections, script, env)
        after_count = drained()
        spent = cpu.difference(cpu.snapshot(process.pid), before_cpu)
        receipts = after_count - before_count
        result["receipts"] = receipts
        result["cpu_ms_per_receipt"] = {label: value * 1000 / receipts for label, value in spent.items()}
        return result
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="receipts/s through the gateway vs a hello world")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="functions-framework WORKERS, for both sides")
    parser.add_argument(
        "--receipts",
        nargs="+",
        choices=sorted(SCRIPTS),
        default=["plain"],
        help="which receipts to send, each measured in turn (wallet: a token's digits, the wallet, a PAR on half;"
        " dcc: charged in SEK; vat: VAT per rate, discounts, last-4 slips)",
    )
    parser.add_argument(
        "--formats",
        nargs="+",
        choices=("json", "kivra", "arts"),
        default=[],
        help="instead: the simulated till's receipts in each format (SPEC §12), each measured in turn",
    )
    parser.add_argument(
        "--tls", action="store_true", help="also: the first kind of receipt over HTTPS (make certs' kind)"
    )
    parser.add_argument(
        "--documents",
        type=Path,
        help="with --formats: send the documents-<format>.txt of this folder (another checkout's"
        " bench/results) instead of making them, to compare two versions on the same receipts",
    )
    args = parser.parse_args()
    ensure_wrk()
    ensure_vhost()
    fresh_databases()
    (ROOT / "bench/results").mkdir(exist_ok=True)

    print(
        f"hello world (bare functions-framework, WORKERS={args.workers}), {args.connections} connections,"
        f" {args.seconds}s ...",
        flush=True,
    )
    hello = hello_world(args.seconds, args.connections, args.workers)
    measured = {}
    for receipt in args.receipts if not args.formats else ():
        print(
            f"{receipt} receipts through the gateway, {args.connections} connections, {args.seconds}s ...", flush=True
        )
        measured[receipt] = receipts_through_gateway(args.seconds, args.connections, args.workers, receipt)
    if args.tls and not args.formats:
        receipt = args.receipts[0]
        print(f"{receipt} receipts through the gateway over HTTPS, {args.connections} connections ...", flush=True)
        made = certs.make(ROOT / "bench/results/certs")
        LABELS[f"{receipt}-tls"] = "  the same, over HTTPS"
        measured[f"{receipt}-tls"] = receipts_through_gateway(
            args.seconds, args.connections, args.workers, receipt, tls=made
        )
    for document_format in args.formats:
        print(
            f"the till's receipts as {document_format} documents through the gateway, {args.connections} connections,"
            f" {args.seconds}s ...",
            flush=True,
        )
        LABELS[document_format] = f"POST /v1/receipts, {document_format}"
        measured[document_format] = receipts_through_gateway(
            args.seconds, args.connections, args.workers, document_format=document_format, documents=args.documents
        )

    print()
    print(f"{'':32}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>10}")
    for name, result in (
        ("hello world (baseline)", hello),
        *((LABELS[kind], result) for kind, result in measured.items()),
    ):
        print(
            f"{name:32}{result['requests_per_second']:>10.0f}{result['p50_ms']:>10.1f}"
            f"{result['p99_ms']:>10.1f}{result['non_2xx']:>10}"
        )
    hello_ms = hello["cpu_ms_per_request"]
    totals = {}
    for kind, receipts in measured.items():
        ratio = receipts["requests_per_second"] / hello["requests_per_second"]
        print(f"\n{kind} receipts/s as a share of hello-world req/s: {ratio:.0%} (target: at least 35%, p99 < 100 ms)")
        per_receipt = receipts["cpu_ms_per_receipt"]
        totals[kind] = total = sum(per_receipt.values())
        print(
            f"CPU per {kind} receipt ({receipts['receipts']} receipts with distinct card data, pipeline drained),"
            f" beside hello world's {hello_ms:.2f} ms per request:"
        )
        for label, value in sorted(per_receipt.items(), key=lambda item: -item[1]):
            if value >= 0.005:
                print(f"  {label:28}{value:>8.2f} ms{value / hello_ms:>8.1f}x")
        print(f"  {'whole platform':28}{total:>8.2f} ms{total / hello_ms:>8.1f}x   (target: at most 5x)")
    for document_format in set(args.formats) - {"json"}:
        if "json" in totals:
            print(
                f"a receipt taken in as {document_format} costs {totals[document_format] / totals['json']:.2f}x a JSON"
                " submission's CPU (the same receipts; target: at most 2x)"
            )
    for kind, what in (
        ("vat", "with VAT per rate"),
        ("wallet", "paid by a wallet"),
        ("dcc", "in DCC"),
        ("plain-tls", "over HTTPS"),
    ):
        if {"plain", kind} <= set(totals):
            print(f"\na receipt {what} costs {totals[kind] / totals['plain'] - 1:+.1%} of a plain one's CPU")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (ROOT / f"bench/results/submissions-{stamp}.json").write_text(
        json.dumps(
            {
                "connections": args.connections,
                "seconds": args.seconds,
                "workers": args.workers,
                "hello_world": hello,
                "receipts_via_gateway": measured,
                "cpu_ratio": {kind: total / hello_ms for kind, total in totals.items()},
            },
            indent=2,
        )
    )
    if any(receipts["non_2xx"] for receipts in measured.values()):
        raise SystemExit("some receipts were refused: the figure is not valid")


if __name__ == "__main__":
    main()
