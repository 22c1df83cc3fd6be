"""Matching payments to receipts' card-payment lines (SPEC §5), set-based in SQL.

The exact rule: masked PAN, auth code, currency, amount and transaction date all equal.
Within one key, the join of unmatched lines and unmatched purchases has lines × payments
rows, so a key matches when that product is 1; above 1 the items are ambiguous, and are
recorded, never guessed. The cost is one hash join of the unmatched sides on indexed keys,
whatever the backlog, never lines × payments.

A match runs for the keys of one item (an event: the receipt's lines, or the payment) or
for every key (a sweep). Matchers of the same keys take the keys' advisory locks in a
fixed order, so concurrent matchers decide one after the other; a line is claimed by a
conditional update and a payment by a unique constraint, so nothing is claimed twice even
without the locks.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, text

from shared.events import PAYMENT_MATCHED, RECEIPT_MATCHED, Event

EXACT = "exact"

_KEY = "masked_pan, auth_code, currency, amount, transaction_date"

# Which keys a match looks at: those of one receipt's open lines, of one open payment,
# or all of them.
_FOCUS = {
    "receipt": f"SELECT DISTINCT {_KEY} FROM receipt_card_payments WHERE receipt_id = :id AND payment_id IS NULL",
    "payment": f"SELECT {_KEY} FROM payments WHERE id = :id AND status = 'unmatched' AND kind = 'purchase'",
}

_LOCK_KEYS = {
    kind: text(
        "SELECT pg_advisory_xact_lock(lock) FROM ("
        f"SELECT DISTINCT hashtextextended(concat_ws('|', {_KEY}), 0) AS lock FROM ({focus}) AS focus ORDER BY lock"
        ") AS locks"
    )
    for kind, focus in _FOCUS.items()
}
_KEY_L = ", ".join(f"l.{column.strip()}" for column in _KEY.split(","))
_KEY_P = ", ".join(f"p.{column.strip()}" for column in _KEY.split(","))


def _claim_sql(focus: str | None) -> str:
    in_focus = f"AND ({_KEY_L}) IN ({focus})" if focus else ""
    return f"""
    WITH candidates AS (
        SELECT l.receipt_id, l.line_no, p.id AS payment_id, {_KEY_L}
        FROM receipt_card_payments l
        JOIN payments p ON ({_KEY_P}) = ({_KEY_L})
        WHERE l.payment_id IS NULL AND p.status = 'unmatched' AND p.kind = 'purchase' {in_focus}
    ), keys AS (
        SELECT {_KEY}, count(*) AS pairs,
               array_agg(DISTINCT receipt_id) AS receipt_ids, array_agg(DISTINCT payment_id) AS payment_ids,
               (array_agg(line_no))[1] AS line_no
        FROM candidates GROUP BY {_KEY}
    ), claimed AS (
        UPDATE receipt_card_payments l
        SET payment_id = k.payment_ids[1], match_rule = :rule, matched_at = now()
        FROM keys k
        WHERE k.pairs = 1 AND l.receipt_id = k.receipt_ids[1] AND l.line_no = k.line_no AND l.payment_id IS NULL
        RETURNING l.receipt_id, l.payment_id
    ), ambiguous AS (
        INSERT INTO ambiguities (item_kind, item_id, rule, candidates)
        SELECT DISTINCT ON (kind, item_id) kind, item_id, :rule, pairs FROM (
            SELECT 'receipt' AS kind, unnest(receipt_ids) AS item_id, pairs FROM keys WHERE pairs > 1
            UNION ALL
            SELECT 'payment', unnest(payment_ids), pairs FROM keys WHERE pairs > 1
        ) AS items
        ORDER BY kind, item_id, pairs DESC
        ON CONFLICT (item_kind, item_id, rule) DO NOTHING
        RETURNING item_id
    )
    SELECT receipt_id, payment_id, (SELECT count(*) FROM ambiguous) AS ambiguous FROM claimed
    UNION ALL
    SELECT NULL, NULL, (SELECT count(*) FROM ambiguous) WHERE NOT EXISTS (SELECT FROM claimed)
    """


_CLAIM = {kind: text(_claim_sql(focus)) for kind, focus in [*_FOCUS.items(), ("sweep", None)]}

_RECORDED = {
    True: "RETURNING id, type, subject, data, occurred_at",
    # A sweep's events are many: the relay publishes them, in batches, from the outbox.
    False: "RETURNING id",
}


def _match_payments_sql(returning: str) -> str:
    return f"""
    WITH matched AS (
        UPDATE payments p
        SET status = 'matched', receipt_id = l.receipt_id, version = p.version + 1,
            document = p.document || jsonb_build_object(
                'status', 'matched', 'receipt_id', l.receipt_id, 'version', p.version + 1)
        FROM receipt_card_payments l
        WHERE l.payment_id = p.id AND p.id = ANY(CAST(:payment_ids AS uuid[]))
        RETURNING p.id, p.document
    )
    INSERT INTO outbox (id, type, subject, data)
    SELECT gen_random_uuid(), :type, id, document FROM matched
    {returning}
    """


# A receipt is matched once every one of its card-payment lines is (split tender).
def _match_receipts_sql(returning: str) -> str:
    return f"""
    WITH complete AS (
        SELECT l.receipt_id AS id, jsonb_agg(DISTINCT p.bank_id) FILTER (WHERE p.bank_id IS NOT NULL) AS bank_ids
        FROM receipt_card_payments l LEFT JOIN payments p ON p.id = l.payment_id
        WHERE l.receipt_id = ANY(CAST(:receipt_ids AS uuid[]))
        GROUP BY l.receipt_id
        HAVING bool_and(l.payment_id IS NOT NULL)
    ), matched AS (
        UPDATE receipts r
        SET status = 'matched', version = r.version + 1,
            document = r.document || jsonb_build_object('status', 'matched', 'version', r.version + 1,
                                                        'bank_ids', c.bank_ids)
        FROM complete c
        WHERE r.id = c.id AND r.status = 'unmatched'
        RETURNING r.id, r.document
    )
    INSERT INTO outbox (id, type, subject, data)
    SELECT gen_random_uuid(), :type, id, document FROM matched
    {returning}
    """


_MATCH_PAYMENTS = {publish: text(_match_payments_sql(returning)) for publish, returning in _RECORDED.items()}
_MATCH_RECEIPTS = {publish: text(_match_receipts_sql(returning)) for publish, returning in _RECORDED.items()}


@dataclass(frozen=True)
class Outcome:
    lines_matched: int
    receipts_matched: int
    ambiguous_items: int
    events: list[Event]


def match(connection: Connection, kind: str, item_id: uuid.UUID | None = None, rule: str = EXACT) -> Outcome:
    """Match the keys of one item (kind "receipt" or "payment") or, for "sweep", all keys.

    Runs in the caller's transaction and records the match events in the outbox. For one
    item it returns them, to publish after the commit; a sweep leaves them to the relay.
    """
    params = {"id": item_id, "rule": rule}
    publish = kind != "sweep"
    if publish:
        connection.execute(_LOCK_KEYS[kind], params)
    rows = connection.execute(_CLAIM[kind], params).all()
    claimed = [row for row in rows if row.payment_id is not None]
    ambiguous = rows[0].ambiguous if rows else 0
    if not claimed:
        return Outcome(0, 0, ambiguous, [])
    payment_events = connection.execute(
        _MATCH_PAYMENTS[publish], {"payment_ids": _array(row.payment_id for row in claimed), "type": PAYMENT_MATCHED}
    ).all()
    receipt_events = connection.execute(
        _MATCH_RECEIPTS[publish], {"receipt_ids": _array({row.receipt_id for row in claimed}), "type": RECEIPT_MATCHED}
    ).all()
    events = [
        Event(row.type, row.subject, row.data, id=row.id, occurred_at=row.occurred_at)
        for row in [*receipt_events, *payment_events]
    ] if publish else []
    return Outcome(len(claimed), len(receipt_events), ambiguous, events)


def _array(ids) -> str:
    return "{" + ",".join(str(item) for item in ids) + "}"
