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
    DATE_WINDOW: "{p}.auth_code = {l}.auth_code AND {p}.amount = {l}.amount"
                 " AND {p}.transaction_date BETWEEN {l}.transaction_date - 2 AND {l}.transaction_date + 2",
    # (b) a tip added on the slip: the payment above the line by at most :tip_share of it.
    TIP: "{p}.auth_code = {l}.auth_code AND {p}.transaction_date = {l}.transaction_date"
         " AND {p}.amount > {l}.amount AND {p}.amount <= {l}.amount + floor({l}.amount * CAST(:tip_share AS numeric))",
    # (c) no auth code on the slip, or another one: the terminal's retrieval reference instead.
    NO_AUTH_CODE: "{p}.terminal_id = {l}.terminal_id AND {p}.rrn = {l}.rrn AND {p}.amount = {l}.amount"
                  " AND {p}.transaction_date = {l}.transaction_date AND {p}.auth_code IS DISTINCT FROM {l}.auth_code",
}

_OPEN = "('unmatched', 'ambiguous')"


def _card_agrees(l: str, p: str) -> str:
    """Beyond the last 4 digits: the BIN where the slip shows it; where it shows the last 4
    only (or no digits), the RRN and terminal id wherever it prints them."""
    return (f"({l}.pan_bin = {p}.pan_bin OR ({l}.pan_bin IS NULL"
            f" AND ({l}.rrn IS NULL OR {l}.rrn = {p}.rrn) AND ({l}.terminal_id IS NULL OR {l}.terminal_id = {p}.terminal_id)))")


def _by_digits(l: str, p: str, condition: str) -> str:
    """A slip that shows card digits fits a payment with the same last 4 under condition."""
    return (f"{p}.pan_last4 = {l}.pan_last4 AND {p}.currency = {l}.currency AND {p}.kind = {l}.kind"
            f" AND {_card_agrees(l, p)} AND {condition.format(l=l, p=p)}")


def _by_reference(l: str, p: str, condition: str) -> str:
    """A slip with no card digits fits a payment with its acquirer's reference under condition."""
    return (f"{l}.masked_pan IS NULL AND {p}.rrn = {l}.rrn AND {p}.terminal_id = {l}.terminal_id"
            f" AND {p}.currency = {l}.currency AND {p}.kind = {l}.kind AND {condition.format(l=l, p=p)}")


# The exact rule beyond the card: auth code, amount and date equal.
_EXACT = "{p}.auth_code = {l}.auth_code AND {p}.amount = {l}.amount AND {p}.transaction_date = {l}.transaction_date"
_CARD = "coalesce(l.pan_last4, l.rrn || '/' || l.terminal_id)"  # what a set of look-alikes shares

# A sweep holds this lock exclusively, and a match of one item holds it shared: a sweep
# never races an event's match (which could both claim one payment for two lines), and
# matches of different items never wait for each other. While a sweep runs (or waits to),
# an event's match is deferred rather than queued behind it: its trigger calls again.
_SWEEP_LOCK = "hashtextextended('receipts.matching.sweep', 0)"
LOCK_SWEEP = text(f"SELECT pg_advisory_xact_lock({_SWEEP_LOCK})")
TRY_LOCK_SWEEP = text(f"SELECT pg_try_advisory_xact_lock({_SWEEP_LOCK})")
TRY_LOCK_ITEM = text(f"SELECT pg_try_advisory_xact_lock_shared({_SWEEP_LOCK})")

# Items that could be each other's match share currency, amount and date, however their
# slips show the card: matchers lock those keys of their items, in one order for all, so
# two batches never wait for each other in a cycle.
_LOCK_KEYS = text("""
    SELECT pg_advisory_xact_lock(lock) FROM (
        SELECT DISTINCT hashtextextended(concat_ws('|', currency, amount, transaction_date), 0) AS lock FROM (
            SELECT currency, amount, transaction_date FROM receipt_card_payments
            WHERE receipt_id = ANY(CAST(:receipt_ids AS uuid[])) AND payment_id IS NULL
            UNION
            SELECT currency, amount, transaction_date FROM payments
            WHERE id = ANY(CAST(:payment_ids AS uuid[])) AND status = 'unmatched'
        ) AS items ORDER BY lock
    ) AS locks
""")

# A pair the operator unlinked is never linked again by matching (SPEC §11).
_NOT_UNLINKED = "NOT EXISTS (SELECT 1 FROM unlinked_pairs u WHERE u.payment_id = {p}.id AND u.receipt_id = {l}.receipt_id)"


def _pairs(condition: str, focus: str = "") -> list[str]:
    """The open (line, payment) pairs that fit under condition, as one query per way a
    slip identifies its card (they never overlap)."""
    return [f"""
        SELECT l.receipt_id, l.line_no, p.id AS payment_id,
               r.status = 'unmatched' AND p.status = 'unmatched' AS open, {_CARD} AS card
        FROM receipt_card_payments l
        JOIN receipts r ON r.id = l.receipt_id
        JOIN payments p ON {fits('l', 'p', condition)}
        WHERE l.payment_id IS NULL AND r.status IN {_OPEN} AND p.status IN {_OPEN}
          AND {_NOT_UNLINKED.format(l='l', p='p')} {focus}"""
            for fits in (_by_digits, _by_reference)]


def _candidates_of_line(condition: str) -> str:
    """How many open payments fit line l under condition (correlated, by index)."""
    return " + ".join(f"""(SELECT count(*) FROM payments p2 WHERE p2.status IN {_OPEN}
                           AND {fits('l', 'p2', condition)} AND {_NOT_UNLINKED.format(l='l', p='p2')})"""
                      for fits in (_by_digits, _by_reference))


def _candidates_of_payment(condition: str) -> str:
    """How many open lines fit payment p under condition (correlated, by index)."""
    return " + ".join(f"""(SELECT count(*) FROM receipt_card_payments l2 JOIN receipts r2 ON r2.id = l2.receipt_id
                           WHERE l2.payment_id IS NULL AND r2.status IN {_OPEN}
                             AND {fits('l2', 'p', condition)} AND {_NOT_UNLINKED.format(l='l2', p='p')})"""
                      for fits in (_by_digits, _by_reference))


# What every claim returns: each claimed line's receipt and payment, then each item newly
# found ambiguous (under its kind's column).
_CLAIM_RESULT = """
    SELECT receipt_id, payment_id, false AS ambiguous FROM claimed
    UNION ALL
    SELECT CASE item_kind WHEN 'receipt' THEN item_id END, CASE item_kind WHEN 'payment' THEN item_id END, true
    FROM ambiguous
"""


def _claim_sql(candidates: str) -> str:
    """Claim each pair of candidates that is both its line's and its payment's only one;
    record every item of a pair with look-alikes as ambiguous. candidates: (receipt_id,
    line_no, payment_id, open, card, line_candidates, payment_candidates)."""
    return f"""
    WITH candidates AS MATERIALIZED ({candidates}
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


def _exact_claim_of_items_sql() -> str:
    """The exact rule for the items of a batch: the pairs that have one of them on either
    side, each counted against everything open (a handful of index look-ups per pair)."""
    focus = {"lines": "AND l.receipt_id = ANY(CAST(:receipt_ids AS uuid[]))",
             "payments": "AND p.id = ANY(CAST(:payment_ids AS uuid[]))"}
    near = " UNION ".join(pair for where in focus.values() for pair in _pairs(_EXACT, where))
    return _claim_sql(f"""
        SELECT near.*, {_candidates_of_line(_EXACT)} AS line_candidates,
               {_candidates_of_payment(_EXACT)} AS payment_candidates,
               md5(concat_ws('|', CAST(:rule AS text), near.card, l.currency, l.amount, l.transaction_date))::uuid AS set_id
        FROM ({near}) AS near
        JOIN receipt_card_payments l ON l.receipt_id = near.receipt_id AND l.line_no = near.line_no
        JOIN payments p ON p.id = near.payment_id""")


def _sweep_claim_sql(condition: str, set_key: str) -> str:
    """A rule over everything open: each pair counted against the others (window counts)."""
    pairs = " UNION ALL ".join(
        pair.replace("AS card", f"AS card, {set_key} AS set_key") for pair in _pairs(condition))
    return _claim_sql(f"""
        SELECT receipt_id, line_no, payment_id, open, card,
               count(*) OVER (PARTITION BY receipt_id, line_no) AS line_candidates,
               count(*) OVER (PARTITION BY payment_id) AS payment_candidates,
               md5(concat_ws('|', CAST(:rule AS text), card, set_key))::uuid AS set_id
        FROM ({pairs}) AS pairs""")


_CLAIM_ITEMS = text(_exact_claim_of_items_sql())
_CLAIM_ALL = text(_sweep_claim_sql(_EXACT, "concat_ws('|', l.currency, l.amount, l.transaction_date)"))
_TOLERANT_CLAIM = {rule: text(_sweep_claim_sql(condition, "concat_ws('|', l.currency, l.kind)"))
                   for rule, condition in TOLERANT.items()}

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

