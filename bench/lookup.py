"""The issuer's look-up over a million receipt lines, beside a primary-key read.

    make bench-lookup            # or: .venv/bin/python bench/lookup.py --sizes 10000 1000000

For each size N: N receipts of one card line each, every line with its own card data
(masked PAN, auth code, amount, terminal, RRN), a tenth of them matched to a bank's
payments, generated in a database of its own. Then --lookups look-ups of distinct lines,
as a bank sends them: a quarter each fitting the exact rule, the date-window rule (a day
later), the tip rule (a tenth more) and the no-auth-code rule (terminal and RRN), with one
in ten for a card that has no receipt (a 404, after every rule was tried). Each runs
lookup.look_up on one connection, as the function does; the baseline is the same number of
primary-key reads of a receipt's document on that connection. Figures: per look-up p50
and p99, look-ups/s on one connection, and the query plan of the costliest case (a miss).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
URL = "postgresql+pg8000://postgres:postgres@127.0.0.1:5432/receipts_write_lookupbench"
os.environ["WRITE_DATABASE_URL"] = URL
os.environ.setdefault("PLATFORM_SECRET", "bench-platform-secret")

from sqlalchemy import text

from shared.domain.parties import Party
from shared.domain.payments import StatementLine
from shared.platform.db import engine_for
from shared.platform.migrate import migrate
from shared.write import lookup

TIP_SHARE = 0.25

MERCHANT, BANK = uuid.UUID(int=1), uuid.UUID(int=2)
DAY = date(2026, 11, 26)


def card(i: int) -> dict:
    """Line i's card data: distinct per line, as real slips are."""
    return {
        "masked_pan": f"4{i % 200:05d}******{i % 9973:04d}",
        "auth_code": f"{i:06X}"[-6:],
        "amount": 100 + i % 50000,
        "terminal_id": f"T{i % 5000:05d}",
        "rrn": f"{i:012d}",
    }


def load(engine, size: int) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "TRUNCATE ambiguities, callbacks, receipt_card_payments, receipt_lines, outbox,"
                " receipts, payments, api_keys, merchants, banks CASCADE"
            )
        )
        connection.execute(
            text("INSERT INTO merchants (id, name, callback_url) VALUES (:id, 'bench', 'http://x')"), {"id": MERCHANT}
        )
        connection.execute(
            text("INSERT INTO banks (id, name, callback_url) VALUES (:id, 'bench', 'http://x')"), {"id": BANK}
        )
        # The same card data as card(i), in SQL.
        connection.execute(
            text(
                """
            INSERT INTO receipts (id, merchant_id, merchant_receipt_id, fingerprint, issued_at, utc_offset_seconds,
                                  currency, subtotal, tax, tip, total, status, document)
            SELECT md5('r' || i)::uuid, :merchant, 'B-' || i, repeat('0', 64), timestamptz '2026-11-26 12:00+00', 0,
                   'EUR', 100 + mod(i, 50000), 0, 0, 100 + mod(i, 50000),
                   CASE WHEN mod(i, 10) = 0 THEN 'matched' ELSE 'unmatched' END,
                   jsonb_build_object('merchant_receipt_id', 'B-' || i, 'issued_at', '2026-11-26T12:00:00+00:00',
                       'currency', 'EUR', 'lines', jsonb_build_array(jsonb_build_object('description', 'Item',
                       'quantity', 1, 'unit_price', 100 + mod(i, 50000), 'amount', 100 + mod(i, 50000))),
                       'totals', jsonb_build_object('subtotal', 100 + mod(i, 50000), 'tax', 0, 'tip', 0,
                       'total', 100 + mod(i, 50000)), 'payments', '[]'::jsonb)
            FROM generate_series(1, :n) AS i
            """
            ),
            {"merchant": MERCHANT, "n": size},
        )
        connection.execute(
            text(
                """
            INSERT INTO payments (id, bank_id, bank_payment_id, fingerprint, account_ref, masked_pan, auth_code,
                                  amount, currency, transaction_date, transaction_time, merchant_name, terminal_id,
                                  rrn, kind, status, receipt_id, document)
            SELECT md5('p' || i)::uuid, :bank, 'P-' || i, repeat('0', 64), 'acct-' || mod(i, 5000),
                   '4' || lpad((mod(i, 200))::text, 5, '0') || '******' || lpad((mod(i, 9973))::text, 4, '0'),
                   right(lpad(upper(to_hex(i)), 6, '0'), 6), 100 + mod(i, 50000), 'EUR', date '2026-11-26', time '12:00',
                   'bench', 'T' || lpad((mod(i, 5000))::text, 5, '0'), lpad(i::text, 12, '0'), 'purchase', 'matched',
                   md5('r' || i)::uuid, '{}'::jsonb
            FROM generate_series(10, :n, 10) AS i
            """
            ),
            {"bank": BANK, "n": size},
        )
        connection.execute(
            text(
                """
            INSERT INTO receipt_card_payments (receipt_id, line_no, masked_pan, auth_code, amount, currency,
                                               transaction_date, transaction_time, terminal_id, rrn, payment_id,
                                               match_rule)
            SELECT md5('r' || i)::uuid, 1,
                   '4' || lpad((mod(i, 200))::text, 5, '0') || '******' || lpad((mod(i, 9973))::text, 4, '0'),
                   right(lpad(upper(to_hex(i)), 6, '0'), 6), 100 + mod(i, 50000), 'EUR', date '2026-11-26', time '12:00',
                   'T' || lpad((mod(i, 5000))::text, 5, '0'), lpad(i::text, 12, '0'),
                   CASE WHEN mod(i, 10) = 0 THEN md5('p' || i)::uuid END, CASE WHEN mod(i, 10) = 0 THEN 'exact' END
            FROM generate_series(1, :n) AS i
            """
            ),
            {"n": size},
        )
        connection.execute(text("ANALYZE receipts, receipt_card_payments, payments"))


def statement_lines(size: int, count: int, rng: random.Random) -> list[tuple[str, StatementLine]]:
    """count statement lines of distinct receipts, each with the rule it should fit."""
    lines = []
    for n, i in enumerate(rng.sample(range(1, size + 1), count)):
        data, rule = card(i), ("exact", "date_window", "tip", "no_auth_code")[n % 4]
        if n % 10 == 9:
            data, rule = card(size + 1 + n), None  # nobody's receipt
        fields = {
            "masked_pan": data["masked_pan"],
            "auth_code": data["auth_code"],
            "amount": data["amount"],
            "currency": "EUR",
            "transaction_date": DAY,
        }
        if rule == "date_window":
            fields["transaction_date"] = DAY + timedelta(days=1)
        elif rule == "tip":
            fields["amount"] = data["amount"] + data["amount"] // 10
        elif rule == "no_auth_code":
            fields.update(auth_code=None, terminal_id=data["terminal_id"], rrn=data["rrn"])
        elif rule is None:
            fields.update(terminal_id=data["terminal_id"], rrn=data["rrn"])
        lines.append((rule, StatementLine(**fields)))
    return lines


def percentile(values: list[float], share: float) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * share))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--lookups", type=int, default=2000)
    args = parser.parse_args()
    migrate(URL, "write_model")
    engine = engine_for(URL)
    bank = Party("bank", BANK)
    rng = random.Random(7)
    for size in args.sizes:
        print(f"loading {size} receipts (one card line each, a tenth matched) ...", flush=True)
        started = time.perf_counter()
        load(engine, size)
        print(f"  loaded in {time.perf_counter() - started:.0f} s", flush=True)
        lines = statement_lines(size, args.lookups, rng)
        ids = [uuid.UUID(bytes=rng.randbytes(16)) for _ in lines]
        with engine.connect() as connection:
            lookups = lookup.Lookups(connection)
            for _, line in lines[:50]:  # warm the connection's prepared statements
                lookups.first_fitting_rule(bank.id, line.card(), TIP_SHARE)
            took, outcomes = [], {}
            for rule, line in lines:
                start = time.perf_counter()
                answer, _found = lookups.first_fitting_rule(bank.id, line.card(), TIP_SHARE)
                took.append(time.perf_counter() - start)
                outcomes[(rule, answer)] = outcomes.get((rule, answer), 0) + 1
            baseline = []
            for receipt_id in ids:
                start = time.perf_counter()
                connection.execute(text("SELECT document FROM receipts WHERE id = :id"), {"id": receipt_id}).first()
                baseline.append(time.perf_counter() - start)
            miss = next(line for rule, line in lines if rule is None).card()
            plan = (
                connection.execute(
                    text(
                        "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) "
                        + lookup._cascade(tuple(lookup.RULES), True).text
                    ),
                    {**miss, "bank_id": BANK, "tip_share": TIP_SHARE},
                )
                .scalars()
                .all()
            )
        wrong = {key: count for key, count in outcomes.items() if key[0] != key[1]}
        assert not wrong, f"look-ups answered other rules than expected: {wrong}"
        ms = [seconds * 1000 for seconds in took]
        base = [seconds * 1000 for seconds in baseline]
        print(
            f"  {len(ms)} look-ups: p50 {statistics.median(ms):.2f} ms, p99 {percentile(ms, 0.99):.2f} ms, "
            f"{len(ms) / sum(took):.0f}/s on one connection; primary-key read p50 {statistics.median(base):.2f} ms, "
            f"p99 {percentile(base, 0.99):.2f} ms ({statistics.median(ms) / statistics.median(base):.1f}x at p50)"
        )
        print("  plan of a miss (every rule tried):")
        for row in plan:
            if "on receipt_card_payments" in row or "Execution" in row:
                print(f"    {row.strip().removeprefix('->  ')}")
    engine.dispose()


if __name__ == "__main__":
    main()
