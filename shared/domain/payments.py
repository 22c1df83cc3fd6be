"""An issuing bank's card payment, its fields mirroring ISO 8583 data elements (SPEC §4)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from shared.domain.base import RequestModel, Text
from shared.domain.cards import AuthCode, LocalTime, Pan, Rrn, TerminalId
from shared.domain.money import Currency, PositiveAmount


class PaymentSubmission(RequestModel):
    bank_payment_id: Text(64)
    account_ref: Text(64)
    pan: Pan  # DE2; masked on arrival, never stored
    auth_code: AuthCode  # DE38
    amount: PositiveAmount  # DE4
    currency: Currency  # DE49
    transaction_date: date  # DE13
    transaction_time: LocalTime  # DE12
    merchant_name: Text(100)  # DE43
    terminal_id: TerminalId  # DE41
    rrn: Rrn  # DE37
    kind: Literal["purchase", "refund"]


class Clearing(RequestModel):
    """The final (clearing) amount of a payment the bank reported earlier: it replaces the
    authorised amount, which is kept (POST /v1/payments/clearing)."""

    bank_payment_id: Text(64)
    amount: PositiveAmount
    currency: Currency
