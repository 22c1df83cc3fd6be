"""One reconciliation run over a large unmatched backlog, beside a plain SQL join.

    make bench-reconcile          # or: .venv/bin/python bench/reconcile.py --items 100000

--items unmatched receipts (one card line each) and as many payments, in databases of
their own, with a read model in step with the write model. The payments mix what real
card data does: 40 % match exactly, 20 % were posted the next day, 20 % carry a 10 % tip,
10 % match a slip without an auth code, 10 % are another card's. Beside it, on the same
data in the same run: the plain `UPDATE … FROM` join of the exact keys. Each figure is the
median of --repeat runs, each rolled back.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, text

from bench.matching import PLAIN_JOIN, timed
from shared.platform.db import engine_for
from shared.platform.migrate import migrate
from shared.write import reconciliation
from shared.write.unit_of_work import UnitOfWork

BASE = "postgresql+pg8000://postgres:postgres@127.0.0.1:5432"
WRITE_URL, READ_URL = f"{BASE}/receipts_write_reconbench", f"{BASE}/receipts_read_reconbench"

# Per item i: its rule is i mod 10 (0-3 exact, 4-5 next day, 6-7 tip, 8 no auth code, 9 none).
_WRITE = [
    """
    INSERT INTO receipts (id, merchant_id, merchant_receipt_id, fingerprint, issued_at, utc_offset_seconds,
                          currency, subtotal, tax, tip, total, document)
    SELECT md5('r' || i)::uuid, :merchant, 'B-' || i, repeat('0', 64), timestamptz '2026-11-26 12:00+00', 0, 'EUR',
           100 + mod(i, 1000), 0, 0, 100 + mod(i, 1000),
           jsonb_build_object('id', md5('r' || i)::uuid, 'issued_at', '2026-11-26T12:00:00+00:00',
                              'totals', jsonb_build_object('total', 100 + mod(i, 1000)),
                              'status', 'unmatched', 'version', 1)
    FROM generate_series(1, :n) AS i
    """,
    """
    INSERT INTO receipt_card_payments (receipt_id, line_no, masked_pan, auth_code, amount, currency,
                                       transaction_date, transaction_time, terminal_id, rrn)
    SELECT md5('r' || i)::uuid, 1, '412345******' || lpad(mod(i, 10000)::text, 4, '0'),
           CASE WHEN mod(i, 10) = 8 THEN NULL ELSE upper(substr(md5(i::text), 1, 6)) END,
           100 + mod(i, 1000), 'EUR', date '2026-11-26', time '12:00', 'T1', lpad(i::text, 12, '0')
    FROM generate_series(1, :n) AS i
    """,
    """
    INSERT INTO payments (id, bank_id, bank_payment_id, fingerprint, account_ref, masked_pan, auth_code,
                          amount, currency, transaction_date, transaction_time, merchant_name, terminal_id,
                          rrn, kind, document)
    SELECT md5('p' || i)::uuid, :bank, 'P-' || i, repeat('0', 64), 'acct-' || mod(i, 5000),
           CASE WHEN mod(i, 10) = 9 THEN '499999******' ELSE '412345******' END || lpad(mod(i, 10000)::text, 4, '0'),
           upper(substr(md5(i::text), 1, 6)),
           CASE WHEN mod(i, 10) IN (6, 7) THEN (100 + mod(i, 1000)) * 11 / 10 ELSE 100 + mod(i, 1000) END,
           'EUR', date '2026-11-26' + CASE WHEN mod(i, 10) IN (4, 5) THEN 1 ELSE 0 END, time '12:00', 'bench', 'T1',
           lpad(i::text, 12, '0'), 'purchase', jsonb_build_object('id', md5('p' || i)::uuid)
    FROM generate_series(1, :n) AS i
    """,
]
# The read model in step: the same rows as projections hold them.
_READ = [
    """
    INSERT INTO receipt_views (id, merchant_id, merchant_receipt_id, status, issued_at, currency, totals, lines,
                               payments, submitted_at, version)
    SELECT md5('r' || i)::uuid, :merchant, 'B-' || i, 'unmatched', '2026-11-26T12:00:00+00:00', 'EUR',
           jsonb_build_object('total', 100 + mod(i, 1000)), '[]', '[]', now(), 1
    FROM generate_series(1, :n) AS i
    """,
    """
    INSERT INTO payment_views (id, bank_id, bank_payment_id, account_ref, masked_pan, auth_code, amount, currency,
                               transaction_date, transaction_time, merchant_name, terminal_id, rrn, kind, status,
                               submitted_at, version)
    SELECT md5('p' || i)::uuid, :bank, 'P-' || i, 'acct-' || mod(i, 5000), '412345******0000', 'AAAAAA',
           CASE WHEN mod(i, 10) IN (6, 7) THEN (100 + mod(i, 1000)) * 11 / 10 ELSE 100 + mod(i, 1000) END, 'EUR',
           date '2026-11-26' + CASE WHEN mod(i, 10) IN (4, 5) THEN 1 ELSE 0 END, time '12:00', 'bench', 'T1',
           lpad(i::text, 12, '0'), 'purchase', 'unmatched', now(), 1
    FROM generate_series(1, :n) AS i
    """,
]


def load(write_engine, read_engine, items: int) -> None:
    params = {"merchant": uuid.uuid4(), "bank": uuid.uuid4(), "n": items}
    with write_engine.begin() as connection:
        connection.execute(
            text(
                "TRUNCATE ambiguities, callbacks, receipt_card_payments, receipt_lines, outbox, "
                "receipts, payments, api_keys, merchants, banks CASCADE"
            )
        )
        connection.execute(
            text("INSERT INTO merchants (id, name, callback_url) VALUES (:merchant, 'b', 'http://x')"), params
        )
        connection.execute(text("INSERT INTO banks (id, name, callback_url) VALUES (:bank, 'b', 'http://x')"), params)
        for statement in _WRITE:
            connection.execute(text(statement), params)
        connection.execute(text("ANALYZE receipts, receipt_card_payments, payments"))
    with read_engine.begin() as connection:
        connection.execute(text("TRUNCATE receipt_views, payment_views, drift_repairs"))
        for statement in _READ:
            connection.execute(text(statement), params)
        connection.execute(text("ANALYZE receipt_views, payment_views"))


def phase(statement: str) -> str:
    if "WITH candidates" in statement:
        return "the cascade's claims (one join per rule)"
    if "md5(" in statement or "FROM outbox" in statement and "subject = ANY" in statement:
        return "drift check"
    return "recording state and events"


@contextlib.contextmanager
def timed_phases(engine):
    """Seconds per phase of the statements engine runs inside the block."""
    spent: Counter = Counter()

    def started(connection, cursor, statement, parameters, context, executemany):
        connection.info["started"] = time.perf_counter()

    def finished(connection, cursor, statement, parameters, context, executemany):
        spent[phase(statement)] += time.perf_counter() - connection.info.pop("started")

    event.listen(engine, "before_cursor_execute", started)
    event.listen(engine, "after_cursor_execute", finished)
    try:
        yield spent
    finally:
        event.remove(engine, "before_cursor_execute", started)
        event.remove(engine, "after_cursor_execute", finished)


def main() -> None:
    parser = argparse.ArgumentParser(description="a reconciliation run vs a plain UPDATE … FROM join")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    migrate(WRITE_URL, "write_model")
    migrate(READ_URL, "read_model")
    write_engine, read_engine = engine_for(WRITE_URL), engine_for(READ_URL)
    print(f"loading {args.items} unmatched receipts and {args.items} payments ...", flush=True)
    load(write_engine, read_engine, args.items)
    plain, runs, phases = [], [], []
    for _ in range(args.repeat):
        seconds, joined = timed(write_engine, lambda connection: connection.execute(PLAIN_JOIN).rowcount)
        plain.append(seconds)
        # As the function runs it: in a sweeping unit (one snapshot, under the sweep lock),
        # rolled back so that each repeat starts from the same data.
        with timed_phases(write_engine) as spent, UnitOfWork(write_engine, read_engine).sweeping() as uow:
            started = time.perf_counter()
            run = reconciliation.reconcile(uow)
            seconds = time.perf_counter() - started
        runs.append(seconds)
        phases.append(dict(spent))
    join = statistics.median(plain)
    print(f"  plain join of the exact keys: {join:.2f} s ({joined} pairs)")
    print(
        f"  reconcile: {statistics.median(runs):.2f} s ({statistics.median(runs) / join:.1f}x), "
        f"{sum(run.matched.values())} matched {run.matched}, {run.ambiguous} ambiguous, "
        f"drift repaired {run.drift_repaired or 0}"
    )
    for name in phases[0]:
        seconds = statistics.median(spent.get(name, 0.0) for spent in phases)
        print(f"    {name}: {seconds:.2f} s ({seconds / join:.1f}x)")
    write_engine.dispose()
    read_engine.dispose()


if __name__ == "__main__":
    main()
