"""The operator's decisions where matching would not decide, or decided wrong (SPEC §11).

Settling matches one pair by hand (rule `manual`): the line is claimed by the same
conditional update matching uses and the payment by the same unique constraint, under
the same locks (the sweep's, shared; then the keys of both items, in one order), so an
operator's match and a sweep or an event's match never claim anything twice. The rest
of the pair's ambiguity sets goes back to the cascade: unmatched again, for the next
reconciliation to decide.

Unlinking undoes a match of any rule: both sides are unmatched again, the bank is called
back (`receipt.unlinked`, reason `operator`), and the pair is remembered in
unlinked_pairs, which matching never links again by itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Connection, text

from shared.domain.errors import AlreadyMatched, NotFound, ServiceUnavailable, ValidationFailed, Violation
from shared.domain.events import (MATCH_SETTLED, MATCH_UNLINKED, PAYMENT_MATCHED, PAYMENT_UNMATCHED, RECEIPT_MATCHED,
                                  RECEIPT_UNMATCHED, Event)
from shared.domain.matching import MANUAL
from shared.platform.db import array_literal
from shared.write import callbacks, matching, outbox
from shared.write.clearing import RELEASE

_PAYMENT = text("SELECT id, currency, kind, status FROM payments WHERE id = :id")
_LINES = text("SELECT line_no, currency, kind, payment_id FROM receipt_card_payments WHERE receipt_id = :id"
              " ORDER BY line_no")
_CLAIM = text(
    "UPDATE receipt_card_payments SET payment_id = :payment_id, match_rule = :rule, matched_at = now()"
    " WHERE receipt_id = :receipt_id AND line_no = :line_no AND payment_id IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM receipt_card_payments WHERE payment_id = :payment_id)")

# The sets the pair was ambiguous in; their other ambiguous items go back to the cascade.
_SETS = text("SELECT DISTINCT set_id FROM ambiguities WHERE (item_kind, item_id) IN (('receipt', :receipt_id),"
             " ('payment', :payment_id))")
_SET_ITEMS = text("DELETE FROM ambiguities WHERE set_id = ANY(CAST(:sets AS uuid[])) RETURNING item_kind, item_id")
_REOPEN = {
    table: text(matching.transition_sql(table, "unmatched", "t.id = ANY(CAST(:ids AS uuid[])) AND t.status = 'ambiguous'",
                                        outbox.RECORDED))
    for table in ("receipts", "payments")
}

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
_UNMATCH_PAYMENT = text(outbox.recording_sql(
    """
    changed AS (
        UPDATE payments p SET status = 'unmatched', receipt_id = NULL, version = p.version + 1,
            document = p.document || jsonb_build_object('status', 'unmatched', 'receipt_id', NULL,
                                                        'match_rule', NULL, 'version', p.version + 1)
        WHERE p.id = :id
        RETURNING p.id, p.document
    )
    """
))
_REMEMBER_UNLINK = text(
    "INSERT INTO unlinked_pairs (payment_id, receipt_id) VALUES (:payment_id, :receipt_id) ON CONFLICT DO NOTHING")


@dataclass(frozen=True)
class Decision:
    view: dict  # the answer to the operator
    recorded: list[Event]  # the items' new states, in the outbox already
    event: Event  # the decision itself, for the caller to record


def settle(connection: Connection, receipt_id: uuid.UUID, payment_id: uuid.UUID, line_no: int | None) -> Decision:
    """Match payment_id to a card line of receipt_id by hand, in the caller's transaction."""
    _hold_off_sweeps(connection)
    payment = connection.execute(_PAYMENT, {"id": payment_id}).one_or_none()
    lines = connection.execute(_LINES, {"id": receipt_id}).all()
    if payment is None:
        raise NotFound("no such payment")
    if not lines:
        raise NotFound("no such receipt (or it has no card line)")
    line = _line(lines, line_no)
    violations = [Violation(field, f"{field}_mismatch", f"the payment's {field} is {theirs}, the line's {ours}")
                  for field, theirs, ours in (("currency", payment.currency, line.currency),
                                              ("kind", payment.kind, line.kind)) if theirs != ours]
    if violations:
        raise ValidationFailed("the payment cannot pay this line", violations)
    # The keys of both sides, locked as an event's match locks them: whoever comes second
    # finds the first one's claim.
    matching.lock_keys(connection, {"receipt_ids": array_literal([receipt_id]), "payment_ids": array_literal([payment_id])})
    if payment.status == "matched" or line.payment_id is not None:
        raise AlreadyMatched("already matched: unlink it first (DELETE /v1/admin/matches/{payment_id})")
    claimed = connection.execute(_CLAIM, {"payment_id": payment_id, "receipt_id": receipt_id, "line_no": line.line_no,
                                          "rule": MANUAL}).rowcount
    if not claimed:  # matched meanwhile, by a matcher that held the keys before us
        raise AlreadyMatched("already matched: unlink it first (DELETE /v1/admin/matches/{payment_id})")
    recorded = connection.execute(matching.MATCH_PAYMENTS, {
        "payment_ids": array_literal([payment_id]), "type": PAYMENT_MATCHED}).all()
    recorded += connection.execute(matching.MATCH_RECEIPTS, {
        "receipt_ids": array_literal([receipt_id]), "type": RECEIPT_MATCHED}).all()
    recorded += _back_to_the_cascade(connection, receipt_id, payment_id)
    view = {"receipt_id": str(receipt_id), "payment_id": str(payment_id), "match_rule": MANUAL}
    settled = Event(MATCH_SETTLED, payment_id, {**view, "line_no": line.line_no,
                                                "settled_at": datetime.now(timezone.utc).isoformat()})
    return Decision(view, outbox.recorded_events(recorded), settled)


def unlink(connection: Connection, payment_id: uuid.UUID) -> Decision:
    """Undo payment_id's match, whatever its rule, in the caller's transaction."""
    _hold_off_sweeps(connection)
    match = connection.execute(_MATCHED, {"id": payment_id}).one_or_none()
    if match is None:
        raise NotFound("this payment is not matched")
    recorded = connection.execute(RELEASE, {"id": payment_id, "type": RECEIPT_UNMATCHED}).all()
    recorded += connection.execute(_UNMATCH_PAYMENT, {"id": payment_id, "type": PAYMENT_UNMATCHED}).all()
    connection.execute(_REMEMBER_UNLINK, {"payment_id": payment_id, "receipt_id": match.receipt_id})
    callbacks.record_unlinked(connection, payment_id, match.receipt_id, reason="operator")
    view = {"receipt_id": str(match.receipt_id), "payment_id": str(payment_id), "match_rule": match.match_rule,
            "status": "unlinked"}
    unlinked = Event(MATCH_UNLINKED, payment_id, {
        **view, "unlink_id": str(uuid.uuid4()), "reason": "operator", "bank_id": str(match.bank_id),
        "merchant_id": str(match.merchant_id), "transaction_date": match.transaction_date.isoformat(),
        "unlinked_at": datetime.now(timezone.utc).isoformat()})
    return Decision(view, outbox.recorded_events(recorded), unlinked)


def _hold_off_sweeps(connection: Connection) -> None:
    """A sweep decides alone: while one runs, the operator is asked to retry shortly."""
    if not connection.execute(matching.TRY_LOCK_ITEM).scalar():
        raise ServiceUnavailable("a matching sweep is running; retry in a few seconds")


def _line(lines, line_no: int | None):
    if line_no is not None:
        for line in lines:
            if line.line_no == line_no:
                return line
        raise ValidationFailed("the receipt has no such card line", [
            Violation("line_no", "unknown_line", f"the receipt's card lines are {[line.line_no for line in lines]}")])
    open_lines = [line for line in lines if line.payment_id is None]
    if len(open_lines) == 1:
        return open_lines[0]
    if not open_lines:
        raise AlreadyMatched("every card line of this receipt is matched already")
    raise ValidationFailed("the receipt has several open card lines: say which", [
        Violation("line_no", "line_no_required", f"one of {[line.line_no for line in open_lines]}")])


def _back_to_the_cascade(connection: Connection, receipt_id: uuid.UUID, payment_id: uuid.UUID) -> list:
    """The sets the pair was ambiguous in are settled: their other items are open again."""
    sets = connection.execute(_SETS, {"receipt_id": receipt_id, "payment_id": payment_id}).scalars().all()
    if not sets:
        return []
    items = connection.execute(_SET_ITEMS, {"sets": array_literal(sets)}).all()
    recorded = []
    for table, kind, event_type in (("receipts", "receipt", RECEIPT_UNMATCHED), ("payments", "payment", PAYMENT_UNMATCHED)):
        ids = [row.item_id for row in items if row.item_kind == kind and row.item_id not in (receipt_id, payment_id)]
        if ids:
            recorded += connection.execute(_REOPEN[table], {"ids": array_literal(ids), "type": event_type}).all()
    return recorded
