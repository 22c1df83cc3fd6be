"""A merchant's itemised receipt and the rules it must keep (SPEC §4)."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import AwareDatetime, Field

from shared.domain.base import RequestModel, Text
from shared.domain.cards import AuthCode, LocalTime, PrintedPan, Rrn, TerminalId
from shared.domain.errors import ValidationFailed, Violation
from shared.domain.money import Amount, Currency, Integer, PositiveAmount, Total


class ReceiptLine(RequestModel):
    description: Text(200)
    sku: Text(64) | None = None
    quantity: Integer(1, 1_000_000)
    unit_price: Amount
    amount: Amount


class Totals(RequestModel):
    subtotal: Total
    tax: Total
    tip: Total
    total: Total


class CardPaymentLine(RequestModel):
    """The EMV data printed on the card slip: what a bank's payment is matched on (SPEC §12).

    A slip shows the card number (first 6 and last 4 digits, or the last 4 only), or no
    digits at all but the acquirer's reference: rrn and terminal_id (DE37, DE41) then
    identify the transaction."""

    masked_pan: PrintedPan | None = None
    auth_code: AuthCode | None = None  # not every slip prints one (offline, some contactless)
    amount: PositiveAmount
    currency: Currency
    transaction_date: date
    transaction_time: LocalTime
    terminal_id: TerminalId | None = None
    rrn: Rrn | None = None
    scheme: Text(20) | None = None


class ReceiptSubmission(RequestModel):
    merchant_receipt_id: Text(64)
    issued_at: AwareDatetime
    currency: Currency
    lines: list[ReceiptLine] = Field(min_length=1, max_length=500)
    totals: Totals
    payments: list[CardPaymentLine] = Field(min_length=1, max_length=10)
    # A refund receipt names the platform id of the merchant's receipt it refunds; its card
    # lines match the bank's refund payments.
    refund_of: uuid.UUID | None = None

    def check(self) -> None:
        """Raise ValidationFailed listing every arithmetic rule the receipt breaks."""
        violations = [
            Violation(
                f"lines[{index}].amount",
                "line_amount_mismatch",
                "amount must equal quantity × unit_price",
            )
            for index, line in enumerate(self.lines)
            if line.amount != line.quantity * line.unit_price
        ]
        if self.totals.subtotal != sum(line.amount for line in self.lines):
            violations.append(
                Violation("totals.subtotal", "subtotal_mismatch", "subtotal must equal the sum of the line amounts")
            )
        if self.totals.total != self.totals.subtotal + self.totals.tax + self.totals.tip:
            violations.append(
                Violation("totals.total", "total_mismatch", "total must equal subtotal + tax + tip")
            )
        violations += [
            Violation(
                f"payments[{index}]",
                "card_data_missing",
                "a card line needs masked_pan (as the slip prints it), or rrn and terminal_id",
            )
            for index, payment in enumerate(self.payments)
            if payment.masked_pan is None and (payment.rrn is None or payment.terminal_id is None)
        ]
        violations += [
            Violation(
                f"payments[{index}].currency",
                "payment_currency_mismatch",
                "every payment must be in the receipt's currency",
            )
            for index, payment in enumerate(self.payments)
            if payment.currency != self.currency
        ]
        if sum(payment.amount for payment in self.payments) != self.totals.total:
            violations.append(
                Violation("payments", "payments_total_mismatch", "the payments' amounts must add up to the total")
            )
        if violations:
            raise ValidationFailed("the receipt breaks the rules listed in details", violations)
