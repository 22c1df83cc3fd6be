"""`make demo N=1000`: drive N checkouts through the simulated parties of a running platform.

Onboards a demo merchant and bank (operator key), hands them to the simulators, then runs
N checkouts (CONCURRENCY at a time, or at RATE per second): POS → processor → issuer →
platform, cardholders paying as they do (a card, a phone wallet, cashback, a tourist's
card in its own currency, now and then a sale voided at the till). Waits until both
callbacks of every checkout not voided have reached the simulated receivers and prints a
summary: submitted, matched, matches per rule and per card key, voids and reversals, wrong
matches, callbacks delivered, end-to-end latency (checkout start → both callbacks
received) p50/p99, and one receipt's URL.

    python -m runtime.demo --checkouts 1000 --concurrency 8 [--rate 100] [--url http://127.0.0.1:8080]

It speaks only HTTP to the gateway, so it drives any platform: `make run`, compose, OpenFaaS.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from runtime import stack
from shared.platform.config import environ_with_dotenv
from shared.simulation.parties import DEMO_MERCHANT


def call(method: str, url: str, body: dict | None = None, key: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {key}"} if key else {})
    request = urllib.request.Request(
        url, json.dumps(body).encode() if body is not None else None, headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def call_patiently(
    method: str, url: str, body: dict | None = None, key: str | None = None, patience: float = 120.0
) -> tuple[int, dict]:
    """call, again as a POS would while the platform says 429 or 503 or cannot be reached (status 0),
    for up to patience seconds: a stack that has just come up serves its health check before
    every function is ready."""
    deadline = time.monotonic() + patience
    while True:
        try:
            status, answer = call(method, url, body, key)
        except OSError as error:
            status, answer = 0, {"error": str(error)}
        if status not in (0, 429, 503) or time.monotonic() > deadline:
            return status, answer
        time.sleep(1.0)


class Bar:
    """A progress bar on stderr."""

    def __init__(self, label: str, total: int):
        self.label, self.total, self.done, self.lock = label, total, 0, threading.Lock()
        self.started = self.drawn = time.monotonic()

    def advance(self, count: int = 1) -> None:
        with self.lock:
            self.done += count
            self.draw()

    def set(self, done: int) -> None:
        with self.lock:
            self.done = done
            self.draw()

    def draw(self) -> None:
        if self.done < self.total and time.monotonic() - self.drawn < 0.2:
            return  # a few redraws a second are enough for the eye
        self.drawn = time.monotonic()
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        rate = self.done / max(time.monotonic() - self.started, 1e-9)
        sys.stderr.write(
            f"\r{self.label:<22} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} ({rate:.0f}/s)"
        )
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Drive checkouts through the simulated parties.")
    parser.add_argument("--checkouts", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rate", type=float, default=0, help="checkouts per second (0: as fast as they go)")
    parser.add_argument(
        "--format",
        choices=("json", "kivra", "arts"),
        default="json",
        help="the format the simulated till sends its receipts in (SPEC §12)",
    )
    parser.add_argument("--accounts", type=int, default=50, help="demo cardholder accounts to spread over")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the callbacks")
    parser.add_argument("--url", help="the platform's gateway (default http://127.0.0.1:$GATEWAY_PORT)")
    return parser.parse_args()


def _onboard(url: str, admin_api_key: str, receivers: dict) -> dict:
    """The demo's own merchant and bank, their callbacks going to the simulated receivers at
    the address the platform reaches them by (behind compose, not this shell's)."""
    parties = {}
    for kind in ("merchant", "bank"):
        status, party = call_patiently(
            "POST",
            f"{url}/v1/admin/{kind}s",
            {
                "name": "Cafe Central" if kind == "merchant" else "First Demo Bank",
                "callback_url": receivers[kind],
                **(DEMO_MERCHANT if kind == "merchant" else {}),
            },
            admin_api_key,
        )
        if status != 201:
            raise SystemExit(f"could not onboard the demo {kind}: {status} {party}")
        status, _ = call_patiently(
            "POST",
            f"{url}/sim/parties",
            {"kind": kind, "id": party["id"], "api_key": party["api_key"], "webhook_secret": party["webhook_secret"]},
            admin_api_key,
        )
        if status != 200:
            raise SystemExit(f"could not hand the demo {kind} to the simulator: {status}")
        parties[kind] = party
    return parties


class _Checkouts:
    """Checkouts at the simulated till, each tried again as a POS would while the platform
    says 503 (or cannot be reached); what came of them."""

    def __init__(self, url: str, args: argparse.Namespace, run: str):
        self.url, self.args, self.run = url, args, run
        self.started: dict[str, float] = {}
        self.references: dict[str, str] = {}  # receipt id -> the RRN of the payment its checkout made
        self.voided: set[str] = set()  # receipts voided at the till, their payments reversed
        self.accounts: set[str] = set()  # the cardholders' accounts the checkouts charged
        self.scenarios: Counter = Counter()  # how the cardholders paid
        self.warned: Counter = Counter()  # the warnings the platform took the till's documents with, by code
        self.warned_receipts: list[str] = []
        self.failures: list[str] = []
        self._bar = Bar("checkouts", args.checkouts)
        self._begin = time.time() + 0.2

    def drive(self) -> None:
        with ThreadPoolExecutor(self.args.concurrency) as pool:
            list(pool.map(self.checkout, range(self.args.checkouts)))
        self._bar.close()

    def checkout(self, index: int) -> None:
        args = self.args
        if args.rate:
            delay = self._begin + index / args.rate - time.time()
            if delay > 0:
                time.sleep(delay)
        at = time.time()
        status, result = call_patiently(
            "POST",
            f"{self.url}/sim/checkout",
            {"account_ref": f"demo-{self.run}-{index % args.accounts}", "format": args.format},
            patience=args.timeout,
        )
        if status == 201:
            self.started[result["receipt_id"]] = at
            self.references[result["receipt_id"]] = result["rrn"]
            self.accounts.add(result["account_ref"])
            self.scenarios[result["scenario"]] += 1
            if result["scenario"] == "void":
                self.voided.add(result["receipt_id"])
            if result.get("warnings"):
                self.warned_receipts.append(result["receipt_id"])
                self.warned.update(result["warnings"])
        else:
            self.failures.append(f"{status} {result}")
        self._bar.advance()


def _callbacks_received(url: str, since: str, started: dict, deadline: float) -> dict:
    """The simulated receivers' log of the receipts started, once both callbacks of each
    arrived (or the deadline passed)."""
    wait = Bar("callbacks delivered", 2 * len(started))
    while True:
        _status, log = call("GET", f"{url}/sim/callbacks?since={since}")
        received = {item["receipt_id"]: item for item in log.get("receipts", []) if item["receipt_id"] in started}
        delivered = sum(item["callbacks"] for item in received.values())
        wait.set(delivered)
        if delivered >= 2 * len(started) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    wait.close()
    return received


def main() -> None:
    args = _arguments()
    os.environ.update(environ_with_dotenv(stack.ROOT / ".env"))
    from shared.platform.config import settings

    config = settings()
    url = (args.url or f"http://127.0.0.1:{config.gateway_port}").rstrip("/")
    try:
        status, health = call("GET", f"{url}/healthz")
    except OSError:
        raise SystemExit(f"nothing answers at {url}: start the platform with `make run` first") from None
    if status != 200:
        raise SystemExit(f"the platform at {url} is not healthy: {health}")
    run_started = datetime.now(UTC)
    run = run_started.strftime("%H%M%S")
    since = quote((run_started - timedelta(seconds=5)).isoformat())  # a little slack for clocks
    status, log = call_patiently("GET", f"{url}/sim/callbacks?since={since}")
    if status != 200:
        raise SystemExit(f"the simulated parties do not answer at {url}/sim: {status} {log}")
    parties = _onboard(url, config.admin_api_key, log["receivers"])
    checkouts = _Checkouts(url, args, run)
    checkouts.drive()
    called_back = {id: at for id, at in checkouts.started.items() if id not in checkouts.voided}
    deadline = time.monotonic() + args.timeout
    received = _callbacks_received(url, since, called_back, deadline)
    delivered = sum(item["callbacks"] for item in received.values())
    statements = read_statements(url, parties["bank"]["api_key"], checkouts, deadline)
    _report(url, args, checkouts, received, delivered, statements)
    if (
        checkouts.failures
        or delivered < 2 * len(called_back)
        or statements.wrong
        or statements.reversed < len(checkouts.voided)
    ):
        raise SystemExit(1)


def _counts(counter: Counter) -> str:
    return ", ".join(f"{key} {count}" for key, count in sorted(counter.items())) or "none"


def _report(url, args, checkouts: _Checkouts, received: dict, delivered: int, statements: Statements) -> None:
    started, warned = checkouts.started, checkouts.warned
    ids = [receipt_id for receipt_id in started if receipt_id not in checkouts.voided]
    latencies = [
        (datetime.fromisoformat(item["last_received_at"]).timestamp() - started[receipt_id]) * 1000
        for receipt_id, item in received.items()
        if item["callbacks"] >= 2
    ]
    matched = sum(1 for item in received.values() if item["callbacks"] >= 1)
    print(f"\ncheckouts submitted      {len(started)} of {args.checkouts} ({len(checkouts.failures)} failed)")
    print(f"cardholders paid by      {_counts(checkouts.scenarios)}")
    print(f"receipts matched         {matched} of the {len(ids)} not voided")
    print(f"matches by rule          {_counts(statements.rules)} (the bank's statements)")
    print(f"matches by card key      {_counts(statements.card_keys)}")
    print(
        f"voids and reversals      {len(checkouts.voided)} receipts voided at the till,"
        f" {statements.reversed} of their payments reversed with no receipt"
    )
    print(f"wrong matches            {statements.wrong}")
    print(f"callbacks delivered      {delivered} (bank and merchant, {2 * len(ids)} expected)")
    print(
        f"receipts with warnings   {len(checkouts.warned_receipts)}"
        + (
            f" ({', '.join(f'{code} {count}' for code, count in sorted(warned.items()))}; taken as the till"
            f" printed them: {url}/v1/receipts?warnings=true)"
            if warned
            else ""
        )
    )
    print(
        f"end-to-end latency       p50 {percentile(latencies, 0.5):.0f} ms, p99 {percentile(latencies, 0.99):.0f} ms"
        f" (checkout start → both callbacks received)"
    )
    if ids:
        print(
            f"a rendered receipt       {url}/v1/receipts/{ids[0]}  (Accept: text/html, with the demo merchant's"
            f" or bank's key)"
        )
        print(f"the bank's view          {url}/sim/bank/accounts/{min(checkouts.accounts)}")
    for failure in checkouts.failures[:5]:
        print(f"  failed: {failure[:200]}")


@dataclass
class Statements:
    """The demo's checkouts as its bank's statements show them."""

    rules: Counter = field(default_factory=Counter)  # matches per rule
    card_keys: Counter = field(default_factory=Counter)  # matches per what established the card
    wrong: int = 0  # receipts linked to a payment their checkout did not make, or voided and still linked
    reversed: int = 0  # voided checkouts' payments shown reversed, with no receipt
    matched: int = 0


def read_statements(url: str, bank_key: str, checkouts: _Checkouts, deadline: float) -> Statements:
    """Read the statements of the checkouts' accounts until they show every receipt matched
    and every voided checkout's payment reversed (they are read models), or the deadline
    passed. A match is wrong when its RRN is not its checkout's."""
    references, voided = checkouts.references, checkouts.voided
    voided_references = {references[receipt_id] for receipt_id in voided}
    while True:
        seen = Statements()
        for account in sorted(checkouts.accounts):
            cursor = ""
            while True:
                status, page = call("GET", f"{url}/v1/accounts/{account}/payments?limit=100{cursor}", key=bank_key)
                if status != 200:
                    break
                for item in page["items"]:
                    receipt = item.get("receipt")
                    if item["status"] == "reversed" and item["rrn"] in voided_references:
                        seen.reversed += 1
                        seen.wrong += receipt is not None
                    elif item["status"] == "matched" and receipt and receipt["id"] in references:
                        seen.matched += 1
                        seen.rules[item["match_rule"]] += 1
                        seen.card_keys[item["card_key"]] += 1
                        seen.wrong += references[receipt["id"]] != item["rrn"] or receipt["id"] in voided
                if not page["next_cursor"]:
                    break
                cursor = f"&cursor={page['next_cursor']}"
        settled = seen.matched >= len(references) - len(voided) and seen.reversed >= len(voided)
        if settled or time.monotonic() > deadline:
            return seen
        time.sleep(0.5)


if __name__ == "__main__":
    main()
