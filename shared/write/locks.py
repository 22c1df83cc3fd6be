"""The write model's advisory locks: who decides matches, and in what order.

Only transaction-level locks are used, which a pooler in transaction mode keeps.
"""

from __future__ import annotations

from sqlalchemy import text

# A sweep holds this lock exclusively, and a match of one item holds it shared: a sweep
# never races an event's match (which could both claim one payment for two lines), and
# matches of different items never wait for each other. While a sweep runs (or waits to),
# an event's match is deferred rather than queued behind it: its trigger calls again.
_SWEEP = "hashtextextended('receipts.matching.sweep', 0)"
SWEEP = text(f"SELECT pg_advisory_xact_lock({_SWEEP})")
TRY_SWEEP = text(f"SELECT pg_try_advisory_xact_lock({_SWEEP})")
TRY_ITEM = text(f"SELECT pg_try_advisory_xact_lock_shared({_SWEEP})")
# A request that changes a match (a void, a reversal, the operator's match or unlink)
# has no trigger to call it again: it waits for a running sweep, which is short, up to
# SWEEP_WAIT (a lock timeout, 55P03), the session's own lock_timeout restored once it holds
# the lock. Each level reads the one inside it, so the three steps run in this order.
SWEEP_WAIT = "2s"
WAIT_ITEM = text(f"""
    SELECT set_config('lock_timeout', before, true) FROM (
        SELECT before, pg_advisory_xact_lock_shared({_SWEEP}) FROM (
            SELECT before, set_config('lock_timeout', '{SWEEP_WAIT}', true)
            FROM (SELECT current_setting('lock_timeout') AS before) AS session
        ) AS waiting
    ) AS holding
""")
LOCK_TIMEOUT = "55P03"

# Items that could be each other's match share currency, amount and date, however their
# slips show the card: matchers lock those keys of their items, in one order for all, so
# two batches never wait for each other in a cycle.
KEYS = text("""
    SELECT pg_advisory_xact_lock(lock) FROM (
        SELECT DISTINCT hashtextextended(concat_ws('|', currency, amount, transaction_date), 0) AS lock FROM (
            SELECT charged_currency AS currency, charged_amount AS amount, transaction_date FROM receipt_card_payments
            WHERE receipt_id = ANY(CAST(:receipt_ids AS uuid[])) AND payment_id IS NULL
            UNION
            SELECT currency, amount, transaction_date FROM payments
            WHERE id = ANY(CAST(:payment_ids AS uuid[])) AND status = 'unmatched'
        ) AS items ORDER BY lock
    ) AS locks
""")
