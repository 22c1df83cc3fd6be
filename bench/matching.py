"""One matching sweep over a large backlog, beside a plain SQL UPDATE … FROM join.

    make bench-matching          # or: .venv/bin/python bench/matching.py --sizes 10000 100000

For each size N: N unmatched receipts (one card line each) and N payments with the same
exact keys, generated in a database of its own. The plain join (claiming lines only), the
same join marking both sides in one statement and the sweep (claiming lines, detecting
ambiguity, matching payments and receipts, and
recording both sides' events in the outbox) run on the same data in the same run, each in
a transaction rolled back afterwards; each figure is the median of --repeat runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
URL = "postgresql+pg8000://postgres:postgres@127.0.0.1:5432/receipts_write_matchbench"
os.environ["WRITE_DATABASE_URL"] = URL

from sqlalchemy import text

from shared.platform.db import engine_for
from shared.platform.migrate import migrate
from shared.write import matching, outbox

PLAIN_JOIN = text(
    """
    UPDATE receipt_card_payments l SET payment_id = p.id, match_rule = 'plain', matched_at = now()
    FROM payments p
    WHERE (p.masked_pan, p.auth_code, p.currency, p.amount, p.transaction_date)
        = (l.masked_pan, l.auth_code, l.currency, l.amount, l.transaction_date)
      AND l.payment_id IS NULL AND p.status = 'unmatched'
    """
)

# STACK-FACTS's second floor: the same join, marking both sides in one statement.
BOTH_SIDES_JOIN = text(
    """
    WITH claimed AS (
        UPDATE receipt_card_payments l SET payment_id = p.id, match_rule = 'plain', matched_at = now()
        FROM payments p
        WHERE (p.masked_pan, p.auth_code, p.currency, p.amount, p.transaction_date)
            = (l.masked_pan, l.auth_code, l.currency, l.amount, l.transaction_date)
          AND l.payment_id IS NULL AND p.status = 'unmatched'
        RETURNING l.payment_id
    )
    UPDATE payments p SET status = 'matched' FROM claimed c WHERE p.id = c.payment_id
    """
)


def load(engine, size: int) -> None:
    merchant, bank = uuid.uuid4(), uuid.uuid4()
    with engine.begin() as connection:
        connection.execute(
            text(
                "TRUNCATE ambiguities, receipt_card_payments, receipt_lines, outbox, receipts, "
                "payments, api_keys, merchants, banks CASCADE"
            )
        )
        connection.execute(
            text("INSERT INTO merchants (id, name, callback_url) VALUES (:id, 'bench', 'http://x')"), {"id": merchant}
        )
        connection.execute(
            text("INSERT INTO banks (id, name, callback_url) VALUES (:id, 'bench', 'http://x')"), {"id": bank}
        )
        connection.execute(
            text(
                """
            INSERT INTO receipts (id, merchant_id, merchant_receipt_id, fingerprint, issued_at, utc_offset_seconds,
                                  currency, subtotal, tax, tip, total, document)
            SELECT md5('r' || i)::uuid, :merchant, 'B-' || i, repeat('0', 64), now(), 0, 'EUR',
                   100 + mod(i, 1000), 0, 0, 100 + mod(i, 1000), jsonb_build_object('id', md5('r' || i)::uuid)
            FROM generate_series(1, :n) AS i
            """
            ),
            {"merchant": merchant, "n": size},
        )
        connection.execute(
            text(
                """
            INSERT INTO receipt_card_payments (receipt_id, line_no, masked_pan, auth_code, amount, currency,
                                               transaction_date, transaction_time, terminal_id, rrn)
            SELECT md5('r' || i)::uuid, 1, '412345******' || lpad(mod(i, 10000)::text, 4, '0'),
                   upper(substr(md5(i::text), 1, 6)), 100 + mod(i, 1000), 'EUR', date '2026-11-26', time '12:00',
                   'T1', lpad(i::text, 12, '0')
            FROM generate_series(1, :n) AS i
            """
            ),
            {"n": size},
        )
        connection.execute(
            text(
                """
            INSERT INTO payments (id, bank_id, bank_payment_id, fingerprint, account_ref, masked_pan, auth_code,
                                  amount, currency, transaction_date, transaction_time, merchant_name, terminal_id,
                                  rrn, kind, document)
            SELECT md5('p' || i)::uuid, :bank, 'P-' || i, repeat('0', 64), 'acct-' || mod(i, 5000),
                   '412345******' || lpad(mod(i, 10000)::text, 4, '0'), upper(substr(md5(i::text), 1, 6)),
                   100 + mod(i, 1000), 'EUR', date '2026-11-26', time '12:00', 'bench', 'T1', lpad(i::text, 12, '0'),
                   'purchase', jsonb_build_object('id', md5('p' || i)::uuid)
            FROM generate_series(1, :n) AS i
            """
            ),
            {"bank": bank, "n": size},
        )
        connection.execute(text("ANALYZE receipts, receipt_card_payments, payments"))


def timed(engine, work) -> tuple[float, object]:
    with engine.connect() as connection:
        transaction = connection.begin()
        started = time.perf_counter()
        result = work(connection)
        elapsed = time.perf_counter() - started
        transaction.rollback()
    return elapsed, result


def main() -> None:
    parser = argparse.ArgumentParser(description="matching sweep vs a plain UPDATE … FROM join")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    migrate(URL, "write_model")
    engine = engine_for(URL)
    results = {}
    for size in args.sizes:
        print(f"loading {size} receipts and {size} payments ...", flush=True)
        load(engine, size)
        plain, both_sides, claim, sweep = [], [], [], []
        for _ in range(args.repeat):
            seconds, claimed = timed(engine, lambda connection: connection.execute(PLAIN_JOIN).rowcount)
            plain.append(seconds)
            seconds, _ = timed(engine, lambda connection: connection.execute(BOTH_SIDES_JOIN).rowcount)
            both_sides.append(seconds)
            seconds, _ = timed(
                engine,
                lambda connection: connection.execute(
                    matching._CLAIM_ALL[matching.EXACT], {"rule": matching.EXACT}
                ).all(),
            )
            claim.append(seconds)
            seconds, outcome = timed(engine, lambda connection: matching.Matches(connection, outbox.Recorded()).sweep())
            sweep.append(seconds)
        assert claimed == size and outcome.lines_matched == size and outcome.receipts_matched == size
        results[size] = (statistics.median(plain), statistics.median(sweep))
        print(
            f"  plain join {results[size][0]:.2f} s; the join marking both sides "
            f"{statistics.median(both_sides):.2f} s ({statistics.median(both_sides) / results[size][0]:.2f}x); "
            f"the sweep's claim (keys, ambiguity, lines) "
            f"{statistics.median(claim):.2f} s ({statistics.median(claim) / results[size][0]:.2f}x); whole sweep "
            f"{results[size][1]:.2f} s ({results[size][1] / results[size][0]:.2f}x, with both sides' state and "
            f"{2 * size} events recorded)"
        )
    if len(args.sizes) == 2:
        small, large = sorted(args.sizes)
        growth = results[large][1] / results[small][1]
        print(
            f"\n{large // small}x the backlog cost the sweep {growth:.1f}x "
            f"(the plain join {results[large][0] / results[small][0]:.1f}x)"
        )
    engine.dispose()


if __name__ == "__main__":
    main()
