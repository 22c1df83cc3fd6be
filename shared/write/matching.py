"""Matching in SQL: the rules of shared.domain.matching, set-based over the write model.

Each rule is one statement over the open sides, by index, whatever the backlog:
claim_items() is the event path (EXACT for the pairs of the items just submitted),
claim_all(rule) a sweep's rule over everything open. Print them with
`python -m shared.write.matching`.

A match runs for the keys of some items (events) or for every key (a sweep, under the
caller's locks.SWEEP). Matchers of the same keys take the keys' advisory locks in a fixed
order (locks.KEYS), so concurrent matchers decide one after the other; a line is claimed
by a conditional update and a payment by a unique constraint, so nothing is claimed twice
even without the locks.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row, TextClause, text
from sqlalchemy.exc import DBAPIError

from shared.domain.events import (
    PAYMENT_AMBIGUOUS,
    PAYMENT_MATCHED,
    PAYMENT_REVERSED,
    PAYMENT_UNMATCHED,
    RECEIPT_AMBIGUOUS,
    RECEIPT_MATCHED,
    RECEIPT_UNMATCHED,
    RECEIPT_VOIDED,
    Event,
)
from shared.domain.matching import (
    DATE_WINDOW,
    DATE_WINDOW_DAYS,
    EXACT,
    MANUAL,
    NO_AUTH_CODE,
    PAN,
    PAR,
    REFERENCE,
    RULES,
    TIP,
    TOKEN,
    CardKey,
)
from shared.platform import faults
from shared.platform.config import settings
from shared.platform.db import array_literal
from shared.write import locks, outbox

# Every condition below reads a receipt's card line as l (of receipt r) and a payment as p,
# and says in SQL what its namesake in shared.domain.matching says in Python.

OPEN_LINE = "l.payment_id IS NULL AND r.status IN ('unmatched', 'ambiguous')"
OPEN_PAYMENT = "p.status IN ('unmatched', 'ambiguous')"
CLAIMABLE = "r.status = 'unmatched' AND p.status = 'unmatched'"

# card_key, as four conditions that never overlap (each pair is counted once), so that each
# is found by its own index. Where both sides carry a PAR, it decides.
_NO_PAIR_OF_PARS = "(l.par IS NULL OR p.par IS NULL)"


def _digits_fit(pan_bin: str, pan_last4: str) -> str:
    return (
        f"{pan_last4} = l.pan_last4 AND ({pan_bin} = l.pan_bin OR (l.pan_bin IS NULL"
        " AND (l.rrn IS NULL OR p.rrn = l.rrn) AND (l.terminal_id IS NULL OR p.terminal_id = l.terminal_id)))"
    )


BY_CARD_KEY = {
    PAN: f"{_NO_PAIR_OF_PARS} AND {_digits_fit('p.pan_bin', 'p.pan_last4')}",
    TOKEN: f"{_NO_PAIR_OF_PARS} AND {_digits_fit('p.token_bin', 'p.token_last4')}"
    f" AND ({_digits_fit('p.pan_bin', 'p.pan_last4')}) IS NOT TRUE",
    PAR: "p.par = l.par",
    REFERENCE: f"{_NO_PAIR_OF_PARS} AND l.masked_pan IS NULL AND p.rrn = l.rrn AND p.terminal_id = l.terminal_id",
}

# Each rule's own test (TESTS), on the money the line's card was charged.
TESTS = {
    EXACT: "p.auth_code = l.auth_code AND p.amount = l.charged_amount AND p.transaction_date = l.transaction_date",
    DATE_WINDOW: "p.auth_code = l.auth_code AND p.amount = l.charged_amount AND p.transaction_date"
    f" BETWEEN l.transaction_date - {DATE_WINDOW_DAYS} AND l.transaction_date + {DATE_WINDOW_DAYS}",
    TIP: "p.auth_code = l.auth_code AND p.transaction_date = l.transaction_date AND p.amount > l.charged_amount"
    " AND p.amount <= l.charged_amount + floor(l.charged_amount * CAST(:tip_share AS numeric))",
    NO_AUTH_CODE: "p.amount = l.charged_amount AND p.transaction_date = l.transaction_date"
    " AND p.auth_code IS DISTINCT FROM l.auth_code AND ((p.terminal_id = l.terminal_id AND p.rrn = l.rrn)"
    " OR (l.auth_code IS NULL AND l.rrn IS NULL AND (l.terminal_id IS NULL OR p.terminal_id = l.terminal_id)))",
}

NOT_UNLINKED = "NOT EXISTS (SELECT 1 FROM unlinked_pairs u WHERE u.payment_id = p.id AND u.receipt_id = l.receipt_id)"

# look_alike_set.
LOOK_ALIKE_SET = {
    rule: "md5(concat_ws('|', CAST(:rule AS text), coalesce(l.pan_last4, l.rrn || '/' || l.terminal_id), "
    + ("l.charged_currency, l.charged_amount, l.transaction_date" if rule == EXACT else "l.charged_currency, l.kind")
    + "))::uuid"
    for rule in RULES
}


def fits(rule: str, card: CardKey) -> str:
    """fits, for the pairs whose card one key shows (BY_CARD_KEY), and never an unlinked pair."""
    return (
        f"{BY_CARD_KEY[card]}\n            AND p.currency = l.charged_currency AND p.kind = l.kind"
        f"\n            AND {TESTS[rule]}\n            AND {NOT_UNLINKED}"
    )


def _pairs(rule: str, card: CardKey, where: str = "") -> str:
    """The open (line, payment) pairs that fit under rule, with whether they may be claimed
    and the set their items are ambiguous in if they are look-alikes."""
    return f"""
        SELECT l.receipt_id, l.line_no, p.id AS payment_id, '{card}' AS card_key, {CLAIMABLE} AS claimable,
               {LOOK_ALIKE_SET[rule]} AS set_id
        FROM receipt_card_payments l
        JOIN receipts r ON r.id = l.receipt_id
        JOIN payments p ON {fits(rule, card)}
        WHERE {OPEN_LINE} AND {OPEN_PAYMENT} {where}"""


def _candidates_of_line(rule: str) -> str:
    """How many open payments fit the outer query's line l (correlated, by index: the inner
    p hides the outer one)."""
    return " + ".join(
        f"(SELECT count(*) FROM payments p WHERE {OPEN_PAYMENT} AND {fits(rule, card)})" for card in BY_CARD_KEY
    )


def _candidates_of_payment(rule: str) -> str:
    """How many open lines fit the outer query's payment p (the inner l and r hide the outer ones)."""
    return " + ".join(
        f"(SELECT count(*) FROM receipt_card_payments l JOIN receipts r ON r.id = l.receipt_id"
        f" WHERE {OPEN_LINE} AND {fits(rule, card)})"
        for card in BY_CARD_KEY
    )


def _claim(candidates: str) -> str:
    """Claim each pair of candidates that is both its line's and its payment's only one;
    record every item of a pair with look-alikes as ambiguous. candidates: (receipt_id,
    line_no, payment_id, card_key, claimable, set_id, line_candidates, payment_candidates).

    Returns each claimed line's receipt, payment and card_key, then each item newly found
    ambiguous (under its kind's column)."""
    return f"""
    WITH candidates AS MATERIALIZED ({candidates}
    ), claimed AS (
        UPDATE receipt_card_payments l
        SET payment_id = c.payment_id, match_rule = :rule, card_key = c.card_key, matched_at = now()
        FROM candidates c
        WHERE c.line_candidates = 1 AND c.payment_candidates = 1 AND c.claimable
          AND l.receipt_id = c.receipt_id AND l.line_no = c.line_no AND l.payment_id IS NULL
        RETURNING l.receipt_id, l.payment_id, l.card_key
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
    SELECT receipt_id, payment_id, card_key, false AS ambiguous FROM claimed
    UNION ALL
    SELECT CASE item_kind WHEN 'receipt' THEN item_id END, CASE item_kind WHEN 'payment' THEN item_id END, NULL, true
    FROM ambiguous
    """


def claim_items() -> str:
    """The event path: EXACT for the pairs with one of the batch's receipts (:receipt_ids) or
    payments (:payment_ids) on either side, each pair's candidates counted against everything
    open (a handful of index look-ups per pair)."""
    focus = ("AND l.receipt_id = ANY(CAST(:receipt_ids AS uuid[]))", "AND p.id = ANY(CAST(:payment_ids AS uuid[]))")
    near = " UNION ".join(_pairs(EXACT, card, where) for where in focus for card in BY_CARD_KEY)
    return _claim(f"""
        SELECT near.*, {_candidates_of_line(EXACT)} AS line_candidates,
               {_candidates_of_payment(EXACT)} AS payment_candidates
        FROM ({near}) AS near
        JOIN receipt_card_payments l ON l.receipt_id = near.receipt_id AND l.line_no = near.line_no
        JOIN payments p ON p.id = near.payment_id""")


def claim_all(rule: str) -> str:
    """A sweep's rule over everything open: each pair counted against the others."""
    pairs = " UNION ALL ".join(_pairs(rule, card) for card in BY_CARD_KEY)
    return _claim(f"""
        SELECT *, count(*) OVER (PARTITION BY receipt_id, line_no) AS line_candidates,
                  count(*) OVER (PARTITION BY payment_id) AS payment_candidates
        FROM ({pairs}) AS pairs""")


_CLAIM_ITEMS = text(claim_items())
_CLAIM_ALL = {rule: text(claim_all(rule)) for rule in RULES}

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
                'card_key', l.card_key, 'version', p.version + 1)
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
    return outbox.recording_sql(
        f"""
    changed AS (
        UPDATE {table} t SET status = '{status}', version = t.version + 1,
            document = t.document || jsonb_build_object('status', '{status}', 'version', t.version + 1{state})
        WHERE {where}
        RETURNING t.id, t.document
    )
    """,
        returning,
    )


_AMBIGUOUS_WHERE = "t.id = ANY(CAST(:ids AS uuid[])) AND t.status = 'unmatched'"
_MATCH_PAYMENTS = {
    publish: text(outbox.recording_sql(_MATCHED_PAYMENTS, returning)) for publish, returning in _RECORDED.items()
}
_MATCH_RECEIPTS = {
    publish: text(outbox.recording_sql(_MATCHED_RECEIPTS, returning)) for publish, returning in _RECORDED.items()
}
# An ambiguous item's state names its set (the earliest, if it is in several).
_AMBIGUITY = """, 'ambiguity', (SELECT jsonb_build_object('set', a.set_id, 'rule', a.rule, 'since', a.detected_at)
                              FROM ambiguities a WHERE a.item_kind = '{kind}' AND a.item_id = t.id
                              ORDER BY a.detected_at, a.rule LIMIT 1)"""
_MARK_AMBIGUOUS = {
    (table, publish): text(
        transition_sql(table, "ambiguous", _AMBIGUOUS_WHERE, returning, _AMBIGUITY.format(kind=table.removesuffix("s")))
    )
    for table in ("receipts", "payments")
    for publish, returning in _RECORDED.items()
}


# The operator's claim of one pair: the line by the conditional update a rule's claim
# uses, the payment by the same unique constraint.
_CLAIM_BY_HAND = text(
    "UPDATE receipt_card_payments SET payment_id = :payment_id, match_rule = :rule, matched_at = now()"
    " WHERE receipt_id = :receipt_id AND line_no = :line_no AND payment_id IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM receipt_card_payments WHERE payment_id = :payment_id)"
)
# Locked, the payment before its receipt, as every change of a match takes them: a void or
# a reversal in flight is then seen done.
_PAYMENT = text("SELECT id, currency, kind, status FROM payments WHERE id = :id FOR UPDATE")
_LINES = text(
    "SELECT l.line_no, l.charged_currency AS currency, l.kind, l.payment_id, r.status AS receipt_status"
    " FROM receipt_card_payments l JOIN receipts r ON r.id = l.receipt_id WHERE l.receipt_id = :id"
    " ORDER BY l.line_no FOR UPDATE OF r"
)
_MATCHED = text(
    """
    SELECT p.id, p.bank_id, p.transaction_date, l.receipt_id, l.line_no, l.match_rule, r.merchant_id
    FROM payments p
    JOIN receipt_card_payments l ON l.payment_id = p.id
    JOIN receipts r ON r.id = l.receipt_id
    WHERE p.id = :id AND p.status = 'matched'
    FOR UPDATE OF p
    """
)

# The sets a pair was ambiguous in; their other ambiguous items go back to the cascade.
_SETS = text(
    "SELECT DISTINCT set_id FROM ambiguities WHERE (item_kind, item_id) IN (('receipt', :receipt_id),"
    " ('payment', :payment_id))"
)
_SET_ITEMS = text("DELETE FROM ambiguities WHERE set_id = ANY(CAST(:sets AS uuid[])) RETURNING item_kind, item_id")
_REOPEN = {
    table: text(
        transition_sql(
            table, "unmatched", "t.id = ANY(CAST(:ids AS uuid[])) AND t.status = 'ambiguous'", outbox.RECORDED
        )
    )
    for table in ("receipts", "payments")
}

# A line whose match is undone: no payment, and none of what the match recorded.
_FREE = "payment_id = NULL, match_rule = NULL, card_key = NULL, matched_at = NULL"

# The receipt a released line belonged to is open again; banks still matched to its other
# lines keep seeing it. (The CTE's subquery sees the lines before the release.)
_RELEASE = text(
    outbox.recording_sql(
        f"""
    released AS (
        UPDATE receipt_card_payments SET {_FREE}
        WHERE payment_id = :id
        RETURNING receipt_id
    ), changed AS (
        UPDATE receipts r SET status = 'unmatched', version = r.version + 1,
            document = r.document || jsonb_build_object('status', 'unmatched', 'version', r.version + 1,
                'bank_ids', coalesce((SELECT jsonb_agg(DISTINCT p.bank_id) FROM receipt_card_payments l
                                      JOIN payments p ON p.id = l.payment_id
                                      WHERE l.receipt_id = r.id AND l.payment_id <> :id), '[]'::jsonb))
        FROM released WHERE r.id = released.receipt_id AND r.status = 'matched'
        RETURNING r.id, r.document
    )
    """
    )
)
# A payment no longer matched: open again, or reversed by its issuer (never matched again).
_UNMATCH_PAYMENT = {
    status: text(
        outbox.recording_sql(
            f"""
    changed AS (
        UPDATE payments p SET status = '{status}', receipt_id = NULL, version = p.version + 1,
            document = p.document || jsonb_build_object('status', '{status}', 'receipt_id', NULL,
                                                        'match_rule', NULL, 'card_key', NULL,
                                                        'version', p.version + 1)
        WHERE p.id = ANY(CAST(:ids AS uuid[]))
        RETURNING p.id, p.document
    )
    """
        )
    )
    for status in ("unmatched", "reversed")
}
# A voided receipt's matched lines, freed; the payments they were matched to.
_FREE_LINES = text(f"""
    WITH matched AS (
        SELECT line_no, payment_id FROM receipt_card_payments
        WHERE receipt_id = :id AND payment_id IS NOT NULL FOR UPDATE
    )
    UPDATE receipt_card_payments l SET {_FREE}
    FROM matched m WHERE l.receipt_id = :id AND l.line_no = m.line_no
    RETURNING m.payment_id
""")
_VOID = text(transition_sql("receipts", "voided", "t.id = :id", outbox.RECORDED, ", 'bank_ids', '[]'::jsonb"))
_REMEMBER_UNLINK = text(
    "INSERT INTO unlinked_pairs (payment_id, receipt_id) VALUES (:payment_id, :receipt_id) ON CONFLICT DO NOTHING"
)


@dataclass(frozen=True)
class Outcome:
    lines_matched: int
    receipts_matched: int
    ambiguous_items: int
    events: list[Event] = field(default_factory=list)
    card_keys: Counter[str] = field(default_factory=Counter)  # the lines matched, by what established the card
    deferred: bool = False  # a sweep was running: nothing was tried


class Matches:
    """Matches and ambiguities on the unit of work's connection: claims by rule or by hand,
    and their undoing. Every change records its events (the unit of work publishes them)."""

    def __init__(self, connection: Connection, recorded: outbox.Recorded):
        self.connection = connection
        self._recorded = recorded

    def hold_off_sweeps(self) -> bool:
        """Take the sweep lock shared, without waiting: False while a sweep runs (or waits to)."""
        return bool(self.connection.execute(locks.TRY_ITEM).scalar())

    def wait_out_sweep(self) -> bool:
        """Take the sweep lock shared, waiting up to locks.SWEEP_WAIT for a running sweep:
        False if it still runs (the transaction has then failed: roll it back)."""
        try:
            self.connection.execute(locks.WAIT_ITEM)
        except DBAPIError as error:
            if faults.sqlstate(error) == locks.LOCK_TIMEOUT:
                return False
            raise
        return True

    def lock_sweep(self) -> None:
        """Take the sweep lock exclusively, waiting for the matches in flight."""
        self.connection.execute(locks.SWEEP)

    def lock_keys(self, receipt_ids: list[uuid.UUID], payment_ids: list[uuid.UUID]) -> None:
        """Take the advisory locks of the keys of the items' open lines and unmatched payments, in one order."""
        self.connection.execute(
            locks.KEYS, {"receipt_ids": array_literal(receipt_ids), "payment_ids": array_literal(payment_ids)}
        )

    def match_items(self, receipt_ids: list[uuid.UUID], payment_ids: list[uuid.UUID]) -> Outcome:
        """Match by the exact rule the keys of some receipts and payments (those events
        announced). While a sweep runs, matches nothing (deferred)."""
        if not self.hold_off_sweeps():
            return Outcome(0, 0, 0, deferred=True)
        self.lock_keys(receipt_ids, payment_ids)
        params = {"receipt_ids": array_literal(receipt_ids), "payment_ids": array_literal(payment_ids), "rule": EXACT}
        return self._claim(_CLAIM_ITEMS, params, publish=True)

    def sweep(self, rule: str = EXACT, tip_share: float | None = None) -> Outcome:
        """Match by rule everything open, under lock_sweep() (tip_share: RECONCILE_TIP_SHARE
        unless given). Its events are left to the relay (they are many)."""
        share = settings().tip_share if tip_share is None else tip_share
        return self._claim(_CLAIM_ALL[rule], {"rule": rule, "tip_share": share}, publish=False)

    def _claim(self, claim: TextClause, params: dict[str, Any], publish: bool) -> Outcome:
        rows = self.connection.execute(claim, params).all()
        claimed = [row for row in rows if not row.ambiguous]
        ambiguous = {
            "receipts": [row.receipt_id for row in rows if row.ambiguous and row.receipt_id],
            "payments": [row.payment_id for row in rows if row.ambiguous and row.payment_id],
        }
        recorded: list[Row[Any]] = []
        receipts_matched: Sequence[Row[Any]] = []
        if claimed:
            recorded += self.connection.execute(
                _MATCH_PAYMENTS[publish],
                {"payment_ids": array_literal(row.payment_id for row in claimed), "type": PAYMENT_MATCHED},
            ).all()
            receipts_matched = self.connection.execute(
                _MATCH_RECEIPTS[publish],
                {"receipt_ids": array_literal({row.receipt_id for row in claimed}), "type": RECEIPT_MATCHED},
            ).all()
            recorded += receipts_matched
        for table, event_type in (("receipts", RECEIPT_AMBIGUOUS), ("payments", PAYMENT_AMBIGUOUS)):
            if ambiguous[table]:
                recorded += self.connection.execute(
                    _MARK_AMBIGUOUS[table, publish], {"ids": array_literal(ambiguous[table]), "type": event_type}
                ).all()
        events = self._recorded.written_with(outbox.recorded_events(recorded)) if publish else []
        return Outcome(
            len(claimed),
            len(receipts_matched),
            len(ambiguous["receipts"]) + len(ambiguous["payments"]),
            events,
            Counter(row.card_key for row in claimed),
        )

    # The operator's decisions (SPEC §11).

    def payment(self, payment_id: uuid.UUID) -> Row[Any] | None:
        """The payment's currency, kind and status, or None."""
        return self.connection.execute(_PAYMENT, {"id": payment_id}).one_or_none()

    def card_lines(self, receipt_id: uuid.UUID) -> Sequence[Row[Any]]:
        """The receipt's card lines (line_no, the currency its card was charged in, kind,
        payment_id, and the receipt's status), in order."""
        return self.connection.execute(_LINES, {"id": receipt_id}).all()

    def matched(self, payment_id: uuid.UUID) -> Row[Any] | None:
        """The payment's match (its line, rule, bank and merchant), locked; None if it has none."""
        return self.connection.execute(_MATCHED, {"id": payment_id}).one_or_none()

    def claim_by_hand(self, receipt_id: uuid.UUID, line_no: int, payment_id: uuid.UUID) -> bool:
        """Match the pair under MANUAL; False if either side was claimed meanwhile. The rest
        of the pair's ambiguity sets goes back to the cascade."""
        claimed = self.connection.execute(
            _CLAIM_BY_HAND, {"payment_id": payment_id, "receipt_id": receipt_id, "line_no": line_no, "rule": MANUAL}
        ).rowcount
        if not claimed:
            return False
        payments = self.connection.execute(
            _MATCH_PAYMENTS[True], {"payment_ids": array_literal([payment_id]), "type": PAYMENT_MATCHED}
        ).all()
        receipts = self.connection.execute(
            _MATCH_RECEIPTS[True], {"receipt_ids": array_literal([receipt_id]), "type": RECEIPT_MATCHED}
        ).all()
        self._recorded.written_with(outbox.recorded_events([*payments, *receipts]))
        self._back_to_the_cascade(receipt_id, payment_id)
        return True

    def _back_to_the_cascade(self, receipt_id: uuid.UUID | None, payment_id: uuid.UUID | None) -> None:
        """The sets the pair (or the one item) was ambiguous in are settled: their other
        items are open again."""
        sets = self.connection.execute(_SETS, {"receipt_id": receipt_id, "payment_id": payment_id}).scalars().all()
        if not sets:
            return
        items = self.connection.execute(_SET_ITEMS, {"sets": array_literal(sets)}).all()
        for table, kind, event_type in (
            ("receipts", "receipt", RECEIPT_UNMATCHED),
            ("payments", "payment", PAYMENT_UNMATCHED),
        ):
            ids = [
                row.item_id for row in items if row.item_kind == kind and row.item_id not in (receipt_id, payment_id)
            ]
            if ids:
                self._recorded.written_with(
                    outbox.recorded_events(
                        self.connection.execute(_REOPEN[table], {"ids": array_literal(ids), "type": event_type}).all()
                    )
                )

    def release(self, payment_id: uuid.UUID) -> None:
        """Free the payment's card line: its receipt is open again (a clearing or the operator undid the match)."""
        self._recorded.written_with(
            outbox.recorded_events(
                self.connection.execute(_RELEASE, {"id": payment_id, "type": RECEIPT_UNMATCHED}).all()
            )
        )

    def unlink(self, payment_id: uuid.UUID, receipt_id: uuid.UUID) -> None:
        """Undo the payment's match to receipt_id: both sides unmatched, the pair never
        linked again by matching."""
        self.release(payment_id)
        self._unmatch([payment_id], "unmatched", PAYMENT_UNMATCHED)
        self.connection.execute(_REMEMBER_UNLINK, {"payment_id": payment_id, "receipt_id": receipt_id})

    def _unmatch(self, payment_ids: list[uuid.UUID], status: str, event_type: str) -> None:
        self._recorded.written_with(
            outbox.recorded_events(
                self.connection.execute(
                    _UNMATCH_PAYMENT[status], {"ids": array_literal(payment_ids), "type": event_type}
                ).all()
            )
        )

    # Voids and reversals (SPEC §14), under the same locks as matching: the caller holds
    # off sweeps and holds the keys of the item's open lines or payment.

    def void(self, receipt_id: uuid.UUID) -> list[uuid.UUID]:
        """Void the receipt: its matches undone (their payments open again), its ambiguity
        sets back to the cascade, never matched again. The payments it was matched to."""
        released = list(self.connection.execute(_FREE_LINES, {"id": receipt_id}).scalars())
        if released:
            self._unmatch(released, "unmatched", PAYMENT_UNMATCHED)
        self._back_to_the_cascade(receipt_id, None)
        self._recorded.written_with(
            outbox.recorded_events(self.connection.execute(_VOID, {"id": receipt_id, "type": RECEIPT_VOIDED}).all())
        )
        return released

    def reverse(self, payment_id: uuid.UUID) -> None:
        """Reverse the payment in full: its match undone (its receipt open again), its
        ambiguity sets back to the cascade, never matched again."""
        self.release(payment_id)
        self._back_to_the_cascade(None, payment_id)
        self._unmatch([payment_id], "reversed", PAYMENT_REVERSED)


if __name__ == "__main__":
    for name, statement in [("event path (exact)", claim_items())] + [
        (f"sweep: {rule}", claim_all(rule)) for rule in RULES
    ]:
        print(f"-- {name}{statement}")
