"""Clearing: the final amount of a payment replaces the authorised one.

A matched payment keeps its receipt while the final amount still fits the receipt's line
(equal, or above it by at most the tip share). Otherwise the link is released: the
receipt is open again, the bank gets a `receipt.unlinked` callback, and the payment is
matched afresh — at once by the event path's exact rule, or by the next reconciliation. A
new link calls the bank back with the new receipt (callbacks are per link).
"""

from __future__ import annotations

import math
import uuid

from sqlalchemy import Connection, text

from shared.domain.errors import NotFound, ValidationFailed, Violation
from shared.domain.events import PAYMENT_CLEARED, RECEIPT_UNMATCHED, Event
from shared.domain.payments import Clearing
from shared.write import callbacks, outbox
from shared.write.results import PaymentCleared

_PAYMENT = text(
    """
    SELECT p.id, p.amount, p.authorised_amount, p.currency, p.status, p.receipt_id, p.bank_payment_id,
           l.amount AS line_amount, l.match_rule
    FROM payments p LEFT JOIN receipt_card_payments l ON l.payment_id = p.id
    WHERE p.bank_id = :bank_id AND p.bank_payment_id = :bank_payment_id
    FOR UPDATE OF p
    """
)

# The receipt a released line belonged to is open again; banks still matched to its other
# lines keep seeing it. (The CTE's subquery sees the lines before the release.) The
# operator's unlink releases a line the same way.
RELEASE = text(outbox.recording_sql(
    """
    released AS (
        UPDATE receipt_card_payments SET payment_id = NULL, match_rule = NULL, matched_at = NULL
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
))

_CLEAR = text(outbox.recording_sql(
    """
    changed AS (
        UPDATE payments p
        SET authorised_amount = coalesce(p.authorised_amount, p.amount), amount = :amount, status = :status,
            receipt_id = CAST(:receipt_id AS uuid), version = p.version + 1,
            document = p.document || jsonb_build_object(
                'amount', CAST(:amount AS bigint), 'authorised_amount', coalesce(p.authorised_amount, p.amount),
                'status', CAST(:status AS text),
                'receipt_id', CAST(:receipt_id AS uuid), 'match_rule', CAST(:match_rule AS text),
                'version', p.version + 1)
        WHERE p.id = :id
        RETURNING p.id, p.document
    )
    """
))


def fits(line_amount: int, amount: int, tip_share: float) -> bool:
    """Whether a payment of amount still pays a receipt line: equal, or a tip within the share."""
    return line_amount <= amount <= line_amount + math.floor(line_amount * tip_share)


def clear(connection: Connection, bank_id: uuid.UUID, clearing: Clearing,
          tip_share: float) -> tuple[PaymentCleared, list[Event]]:
    """Apply the final amount in the caller's transaction; returns the payment's view and
    the events recorded (none when the amount is the one already held)."""
    payment = connection.execute(_PAYMENT, {"bank_id": bank_id,
                                            "bank_payment_id": clearing.bank_payment_id}).one_or_none()
    if payment is None:
        raise NotFound("no payment of yours has this bank_payment_id")
    if payment.currency != clearing.currency:
        raise ValidationFailed("the clearing's currency is not the payment's", [
            Violation("currency", "currency_mismatch", f"the payment is in {payment.currency}")])
    if payment.amount == clearing.amount:
        return _view(payment.id, payment.status, payment.bank_payment_id, payment.amount,
                     payment.authorised_amount or payment.amount, payment.receipt_id), []
    keeps_match = payment.status == "matched" and fits(payment.line_amount, clearing.amount, tip_share)
    released = payment.status == "matched" and not keeps_match
    recorded = []
    if released:
        recorded += connection.execute(RELEASE, {"id": payment.id, "type": RECEIPT_UNMATCHED}).all()
    status = "matched" if keeps_match else "expired" if payment.status == "expired" else "unmatched"
    receipt_id = payment.receipt_id if keeps_match else None
    recorded += connection.execute(_CLEAR, {
        "id": payment.id, "amount": clearing.amount, "status": status,
        "receipt_id": receipt_id, "match_rule": payment.match_rule if keeps_match else None,
        "type": PAYMENT_CLEARED,
    }).all()
    if released:
        callbacks.record_unlinked(connection, payment.id, payment.receipt_id)
    return _view(payment.id, status, payment.bank_payment_id, clearing.amount,
                 payment.authorised_amount or payment.amount, receipt_id), outbox.recorded_events(recorded)


def _view(payment_id, status, bank_payment_id, amount, authorised_amount, receipt_id) -> PaymentCleared:
    return PaymentCleared(id=str(payment_id), status=status, bank_payment_id=bank_payment_id, amount=amount,
                          authorised_amount=authorised_amount, receipt_id=str(receipt_id) if receipt_id else None)
