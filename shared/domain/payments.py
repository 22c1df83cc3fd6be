"""An issuing bank's card payment, its fields mirroring ISO 8583 data elements (SPEC §4)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from shared.domain.base import RequestModel, Text
from shared.domain.cards import AuthCode, LocalTime, MaskedPan, Pan, Rrn, TerminalId, mask_pan
from shared.domain.errors import ValidationFailed, Violation
from shared.domain.money import Currency, PositiveAmount


class PaymentSubmission(RequestModel):
    bank_payment_id: Annotated[str, Text(64)]
    account_ref: Annotated[str, Text(64)]
    pan: Pan  # DE2; masked on arrival, never stored
    auth_code: AuthCode  # DE38
    amount: PositiveAmount  # DE4
    currency: Currency  # DE49
    transaction_date: date  # DE13
    transaction_time: LocalTime  # DE12
    merchant_name: Annotated[str, Text(100)]  # DE43
    terminal_id: TerminalId  # DE41
    rrn: Rrn  # DE37
    kind: Literal["purchase", "refund"]


class Clearing(RequestModel):
    """The final (clearing) amount of a payment the bank reported earlier: it replaces the
    authorised amount, which is kept (POST /v1/payments/clearing)."""

    bank_payment_id: Annotated[str, Text(64)]
    amount: PositiveAmount
    currency: Currency


def _one_card_number(schema: dict[str, Any]) -> None:
    """The document says what card() checks: the card number comes exactly once."""
    for name in ("pan", "masked_pan"):
        schema["properties"][name].pop("default", None)
    schema["oneOf"] = [{"required": ["pan"]}, {"required": ["masked_pan"]}]


class StatementLine(RequestModel):
    """POST /v1/receipts/lookup: the card data of one statement line, as the issuer has it
    (SPEC §10). The card number comes in full (masked on arrival) or masked, never null."""

    model_config = ConfigDict(**RequestModel.model_config, json_schema_extra=_one_card_number)

    # None only when left out: an explicit null is refused, and the document says a string
    # (Pan | None would take null and say so); card() checks that exactly one came.
    pan: Pan = Field(None, validate_default=False)  # type: ignore[assignment]
    masked_pan: MaskedPan = Field(None, validate_default=False)  # type: ignore[assignment]
    auth_code: AuthCode | None = None
    amount: PositiveAmount
    currency: Currency
    transaction_date: date
    terminal_id: TerminalId | None = None
    rrn: Rrn | None = None

    def card(self) -> dict[str, str | int | date | None]:
        """The card data the cascade compares, the number masked; ValidationFailed unless
        exactly one of pan and masked_pan came."""
        if (self.pan is None) == (self.masked_pan is None):
            raise ValidationFailed(
                "send the card number once: pan or masked_pan",
                [Violation("pan", "one_card_number", "send exactly one of pan and masked_pan")],
            )
        return {
            "masked_pan": self.masked_pan or mask_pan(self.pan),
            "auth_code": self.auth_code,
            "amount": self.amount,
            "currency": self.currency,
            "transaction_date": self.transaction_date,
            "terminal_id": self.terminal_id,
            "rrn": self.rrn,
        }
