"""Matching payments to receipts' card-payment lines (SPEC §5), set-based in SQL.

The exact rule: masked PAN, auth code, currency, amount and transaction date all equal.
Within one key, the join of open lines and open payments has lines × payments rows, so a
key matches when that product is 1; above 1 the items are ambiguous, and are recorded,
never guessed. The cost is one hash join of the open sides on indexed keys, whatever the
backlog, never lines × payments.

Reconciliation then runs the tolerant rules (TOLERANT, in cascade order) over what is
still open. They have no single key, so a line and a payment match when each is the
other's only candidate under the rule; any item with more than one candidate is
ambiguous. Ambiguous items are never claimed, but they stay candidates: a newcomer that
would compete with one is ambiguous too, so no rule ever picks between look-alikes.

A match runs for the keys of some items (events: receipts' lines, payments) or for every
key (a sweep, under the caller's LOCK_SWEEP). Matchers of the same keys take
the keys' advisory locks in a fixed order, so concurrent matchers decide one after the
other; a line is claimed by a conditional update and a payment by a unique constraint, so
nothing is claimed twice even without the locks.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import Connection, text

from shared.domain.events import PAYMENT_AMBIGUOUS, PAYMENT_MATCHED, RECEIPT_AMBIGUOUS, RECEIPT_MATCHED, Event
from shared.domain.matching import DATE_WINDOW, EXACT, NO_AUTH_CODE, TIP
from shared.platform.db import array_literal
from shared.write import outbox

# The tolerant rules, in cascade order: each one's join condition beyond equal masked PAN,
# currency and kind (purchase or refund).
TOLERANT = {
    # (a) the bank posted on another day (time zones, late posting): up to 2 days apart.
    DATE_WINDOW: "p.auth_code = l.auth_code AND p.amount = l.amount"
                 " AND p.transaction_date BETWEEN l.transaction_date - 2 AND l.transaction_date + 2",
    # (b) a tip added on the slip: the payment above the line by at most :tip_share of it.
    TIP: "p.auth_code = l.auth_code AND p.transaction_date = l.transaction_date"
         " AND p.amount > l.amount AND p.amount <= l.amount + floor(l.amount * CAST(:tip_share AS numeric))",
    # (c) no auth code on the slip, or another one: the terminal's retrieval reference instead.
    NO_AUTH_CODE: "p.terminal_id = l.terminal_id AND p.rrn = l.rrn AND p.amount = l.amount"
                  " AND p.transaction_date = l.transaction_date AND p.auth_code IS DISTINCT FROM l.auth_code",
}

_OPEN = "('unmatched', 'ambiguous')"
_KEY = "masked_pan, auth_code, currency, amount, transaction_date"

# Which keys a match of items looks at: those of the receipts' open lines and of the open
# payments (the items of a batch of events; one event is a batch of one).
_ITEMS_FOCUS = f"""
    SELECT {_KEY} FROM receipt_card_payments
    WHERE receipt_id = ANY(CAST(:receipt_ids AS uuid[])) AND payment_id IS NULL
    UNION
    SELECT {_KEY} FROM payments WHERE id = ANY(CAST(:payment_ids AS uuid[])) AND status = 'unmatched'
"""

# A sweep holds this lock exclusively, and a match of one item holds it shared: a sweep
# never races an event's match (which could both claim one payment for two lines), and
# matches of different items never wait for each other. While a sweep runs (or waits to),
# an event's match is deferred rather than queued behind it: its trigger calls again.
_SWEEP_LOCK = "hashtextextended('receipts.matching.sweep', 0)"
LOCK_SWEEP = text(f"SELECT pg_advisory_xact_lock({_SWEEP_LOCK})")
TRY_LOCK_ITEM = text(f"SELECT pg_try_advisory_xact_lock_shared({_SWEEP_LOCK})")

# Every key of the items, in one order for all matchers: two batches never wait for each other in a cycle.
_LOCK_KEYS = text(
    "SELECT pg_advisory_xact_lock(lock) FROM ("
    f"SELECT DISTINCT hashtextextended(concat_ws('|', {_KEY}), 0) AS lock FROM ({_ITEMS_FOCUS}) AS focus ORDER BY lock"
    ") AS locks"
)
_KEY_L = ", ".join(f"l.{column.strip()}" for column in _KEY.split(","))
_KEY_P = ", ".join(f"p.{column.strip()}" for column in _KEY.split(","))

# What every claim returns: each claimed line's receipt and payment, then each item newly
# found ambiguous (under its kind's column).
# A pair the operator unlinked is never linked again by matching (SPEC §11).
_NOT_UNLINKED = "AND NOT EXISTS (SELECT 1 FROM unlinked_pairs u WHERE u.payment_id = p.id AND u.receipt_id = l.receipt_id)"

_CLAIM_RESULT = """
    SELECT receipt_id, payment_id, false AS ambiguous FROM claimed
    UNION ALL
    SELECT CASE item_kind WHEN 'receipt' THEN item_id END, CASE item_kind WHEN 'payment' THEN item_id END, true
    FROM ambiguous
"""


def _exact_claim_sql(focus: str | None) -> str:
    in_focus = f"AND ({_KEY_L}) IN ({focus})" if focus else ""
    return f"""
    WITH candidates AS (
        SELECT l.receipt_id, l.line_no, p.id AS payment_id, r.status = 'unmatched' AND p.status = 'unmatched' AS open,
               {_KEY_L}
        FROM receipt_card_payments l
        JOIN receipts r ON r.id = l.receipt_id
        JOIN payments p ON ({_KEY_P}) = ({_KEY_L}) AND p.kind = l.kind
        WHERE l.payment_id IS NULL AND r.status IN {_OPEN} AND p.status IN {_OPEN} {in_focus} {_NOT_UNLINKED}
    ), keys AS (
        SELECT {_KEY}, count(*) AS pairs, bool_and(open) AS open,
               array_agg(receipt_id) AS receipt_ids, array_agg(payment_id) AS payment_ids,
               (array_agg(line_no))[1] AS line_no,
               md5(concat_ws('|', CAST(:rule AS text), {_KEY}))::uuid AS set_id
        FROM candidates GROUP BY {_KEY}
    ), claimed AS (
        UPDATE receipt_card_payments l
        SET payment_id = k.payment_ids[1], match_rule = :rule, matched_at = now()
        FROM keys k
        WHERE k.pairs = 1 AND k.open AND l.receipt_id = k.receipt_ids[1] AND l.line_no = k.line_no
          AND l.payment_id IS NULL
        RETURNING l.receipt_id, l.payment_id
    ), ambiguous AS (
        INSERT INTO ambiguities (item_kind, item_id, rule, candidates, set_id)
        SELECT DISTINCT ON (kind, item_id) kind, item_id, :rule, pairs, set_id FROM (
            SELECT 'receipt' AS kind, unnest(receipt_ids) AS item_id, pairs, set_id FROM keys WHERE pairs > 1
            UNION ALL
            SELECT 'payment', unnest(payment_ids), pairs, set_id FROM keys WHERE pairs > 1
        ) AS items
        ORDER BY kind, item_id, pairs DESC
        ON CONFLICT (item_kind, item_id, rule) DO NOTHING
        RETURNING item_kind, item_id
    )
    {_CLAIM_RESULT}
    """


def _tolerant_claim_sql(condition: str) -> str:
    return f"""
    WITH candidates AS MATERIALIZED (
        SELECT l.receipt_id, l.line_no, p.id AS payment_id, r.status = 'unmatched' AND p.status = 'unmatched' AS open,
               count(*) OVER (PARTITION BY l.receipt_id, l.line_no) AS line_candidates,
               count(*) OVER (PARTITION BY p.id) AS payment_candidates,
               md5(concat_ws('|', CAST(:rule AS text), l.masked_pan, l.currency, l.kind))::uuid AS set_id
        FROM receipt_card_payments l
        JOIN receipts r ON r.id = l.receipt_id
        JOIN payments p ON p.masked_pan = l.masked_pan AND p.currency = l.currency AND p.kind = l.kind
                       AND {condition}
        WHERE l.payment_id IS NULL AND r.status IN {_OPEN} AND p.status IN {_OPEN} {_NOT_UNLINKED}
    ), claimed AS (
        UPDATE receipt_card_payments l
        SET payment_id = c.payment_id, match_rule = :rule, matched_at = now()
        FROM candidates c
        WHERE c.line_candidates = 1 AND c.payment_candidates = 1 AND c.open
          AND l.receipt_id = c.receipt_id AND l.line_no = c.line_no AND l.payment_id IS NULL
        RETURNING l.receipt_id, l.payment_id
    ), ambiguous AS (
        INSERT INTO ambiguities (item_kind, item_id, rule, candidates, set_id)
        SELECT kind, item_id, :rule, max(candidates), min(CAST(set_id AS text))::uuid FROM (
            SELECT 'receipt' AS kind, receipt_id AS item_id, line_candidates AS candidates, set_id FROM candidates
            WHERE line_candidates > 1 OR payment_candidates > 1
            UNION ALL
            SELECT 'payment', payment_id, payment_candidates, set_id FROM candidates
            WHERE line_candidates > 1 OR payment_candidates > 1
        ) AS items
        GROUP BY kind, item_id
        ON CONFLICT (item_kind, item_id, rule) DO NOTHING
        RETURNING item_kind, item_id
    )
    {_CLAIM_RESULT}
    """


_CLAIM_ITEMS = text(_exact_claim_sql(_ITEMS_FOCUS))
_CLAIM_ALL = text(_exact_claim_sql(None))
_TOLERANT_CLAIM = {rule: text(_tolerant_claim_sql(condition)) for rule, condition in TOLERANT.items()}

_RECORDED = {
    True: outbox.RECORDED,
    # A sweep's events are many: the relay publishes them, in batches, from the outbox.
    False: outbox.RECORDED_IDS,
}

_MATCHED_PAYMENTS = """
    changed AS (
        UPDATE payments p
        SET status = 'matched', receipt_id = l.receipt_id, version = p.version + 1,
            document = p.document || jsonb_build_object(
                'status', 'matched', 'receipt_id', l.receipt_id, 'match_rule', l.match_rule,
                'version', p.version + 1)
        FROM receipt_card_payments l
        WHERE l.payment_id = p.id AND p.id = ANY(CAST(:payment_ids AS uuid[]))
        RETURNING p.id, p.document
    )
"""

# A receipt is matched once every one of its card-payment lines is (split tender).
_MATCHED_RECEIPTS = """
    complete AS (
        SELECT l.receipt_id AS id, jsonb_agg(DISTINCT p.bank_id) FILTER (WHERE p.bank_id IS NOT NULL) AS bank_ids
        FROM receipt_card_payments l LEFT JOIN payments p ON p.id = l.payment_id
        WHERE l.receipt_id = ANY(CAST(:receipt_ids AS uuid[]))
        GROUP BY l.receipt_id
        HAVING bool_and(l.payment_id IS NOT NULL)
    ), changed AS (
        UPDATE receipts r
        SET status = 'matched', version = r.version + 1,
            document = r.document || jsonb_build_object('status', 'matched', 'version', r.version + 1,
                                                        'bank_ids', c.bank_ids)
        FROM complete c
        WHERE r.id = c.id AND r.status <> 'matched'
        RETURNING r.id, r.document
    )
"""


def transition_sql(table: str, status: str, where: str, returning: str, state: str = "") -> str:
    """Move the rows of table (receipts or payments) that where selects to status, with a
    new version and an event carrying their whole state (state: more jsonb_build_object
    pairs to merge into it)."""
    return outbox.recording_sql(f"""
    changed AS (
        UPDATE {table} t SET status = '{status}', version = t.version + 1,
            document = t.document || jsonb_build_object('status', '{status}', 'version', t.version + 1{state})
        WHERE {where}
        RETURNING t.id, t.document
    )
    """, returning)


_AMBIGUOUS_WHERE = "t.id = ANY(CAST(:ids AS uuid[])) AND t.status = 'unmatched'"
_MATCH_PAYMENTS = {publish: text(outbox.recording_sql(_MATCHED_PAYMENTS, returning))
                   for publish, returning in _RECORDED.items()}
_MATCH_RECEIPTS = {publish: text(outbox.recording_sql(_MATCHED_RECEIPTS, returning))
                   for publish, returning in _RECORDED.items()}
# An ambiguous item's state names its set (the earliest, if it is in several).
_AMBIGUITY = """, 'ambiguity', (SELECT jsonb_build_object('set', a.set_id, 'rule', a.rule, 'since', a.detected_at)
                              FROM ambiguities a WHERE a.item_kind = '{kind}' AND a.item_id = t.id
                              ORDER BY a.detected_at, a.rule LIMIT 1)"""
# What a match by hand records, as a match of events does.
MATCH_PAYMENTS, MATCH_RECEIPTS = _MATCH_PAYMENTS[True], _MATCH_RECEIPTS[True]
_MARK_AMBIGUOUS = {
    (table, publish): text(transition_sql(table, "ambiguous", _AMBIGUOUS_WHERE, returning,
                                          _AMBIGUITY.format(kind=table.removesuffix("s"))))
    for table in ("receipts", "payments") for publish, returning in _RECORDED.items()
}


@dataclass(frozen=True)
class Outcome:
    lines_matched: int
    receipts_matched: int
    ambiguous_items: int
    events: list[Event] = field(default_factory=list)
    deferred: bool = False  # a sweep was running: nothing was tried


def match_items(connection: Connection, receipt_ids: list[uuid.UUID], payment_ids: list[uuid.UUID]) -> Outcome:
    """Match by the exact rule the keys of some receipts and payments (those events announced).

    Runs in the caller's transaction and records the match events in the outbox; returns
    them, to publish after the commit. While a sweep runs, matches nothing (deferred).
    """
    if not connection.execute(TRY_LOCK_ITEM).scalar():
        return Outcome(0, 0, 0, deferred=True)
    params = {"receipt_ids": array_literal(receipt_ids), "payment_ids": array_literal(payment_ids), "rule": EXACT}
    lock_keys(connection, params)
    return _claim(connection, _CLAIM_ITEMS, params, publish=True)


def lock_keys(connection: Connection, items: dict) -> None:
    """Take the advisory locks of the keys of items' open receipt lines and unmatched
    payments (items: receipt_ids and payment_ids, as array literals), in one order."""
    connection.execute(_LOCK_KEYS, items)


def sweep(connection: Connection, rule: str = EXACT, tip_share: float = 0.25) -> Outcome:
    """Match by rule everything open, under the caller's LOCK_SWEEP. Records the match
    events in the outbox and leaves them to the relay (they are many)."""
    claim = _CLAIM_ALL if rule == EXACT else _TOLERANT_CLAIM[rule]
    return _claim(connection, claim, {"rule": rule, "tip_share": tip_share}, publish=False)


def _claim(connection: Connection, claim, params: dict, publish: bool) -> Outcome:
    rows = connection.execute(claim, params).all()
    claimed = [row for row in rows if not row.ambiguous]
    ambiguous = {
        "receipts": [row.receipt_id for row in rows if row.ambiguous and row.receipt_id],
        "payments": [row.payment_id for row in rows if row.ambiguous and row.payment_id],
    }
    recorded, receipts_matched = [], []
    if claimed:
        recorded += connection.execute(_MATCH_PAYMENTS[publish], {
            "payment_ids": array_literal(row.payment_id for row in claimed), "type": PAYMENT_MATCHED}).all()
        receipts_matched = connection.execute(_MATCH_RECEIPTS[publish], {
            "receipt_ids": array_literal({row.receipt_id for row in claimed}), "type": RECEIPT_MATCHED}).all()
        recorded += receipts_matched
    for table, event_type in (("receipts", RECEIPT_AMBIGUOUS), ("payments", PAYMENT_AMBIGUOUS)):
        if ambiguous[table]:
            recorded += connection.execute(_MARK_AMBIGUOUS[table, publish], {
                "ids": array_literal(ambiguous[table]), "type": event_type}).all()
    events = outbox.recorded_events(recorded) if publish else []
    return Outcome(len(claimed), len(receipts_matched), len(ambiguous["receipts"]) + len(ambiguous["payments"]),
                   events)

