"""An issuing bank's card payment, its fields mirroring ISO 8583 data elements (SPEC §4)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from shared.domain.base import RequestModel, Text
from shared.domain.cards import (
    AuthCode,
    LocalTime,
    MaskedPan,
    Pan,
    Par,
    Rrn,
    TerminalId,
    Wallet,
    cashback_inside,
    mask_pan,
)
from shared.domain.errors import ValidationFailed, Violation
from shared.domain.money import Currency, PositiveAmount


class PaymentToken(RequestModel):
    """The device account number a wallet paid with, as the network gave it with the
    payment: in full (masked on arrival, as the card's) or masked, never both."""

    pan: Pan | None = None
    masked_pan: MaskedPan | None = None
    wallet: Wallet

    @model_validator(mode="after")
    def _one_number(self) -> PaymentToken:
        if (self.pan is None) == (self.masked_pan is None):
            raise PydanticCustomError("one_card_number", "send the token's number once: pan or masked_pan")
        return self

    def masked(self) -> dict[str, str]:
        """The token as it is stored and shown: its number masked."""
        return {"masked_pan": self.masked_pan or mask_pan(self.pan or ""), "wallet": self.wallet}


class PaymentSubmission(RequestModel):
    later_fields = frozenset({"token", "par", "cashback_amount", "billing_amount", "billing_currency"})

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
    token: PaymentToken | None = None  # the wallet's device account number (DE48 SE33, Visa's token data)
    par: Par | None = None  # DE56
    cashback_amount: PositiveAmount | None = None  # DE54: cash paid out, inside amount
    billing_amount: PositiveAmount | None = None  # DE6, where the account was charged otherwise
    billing_currency: Currency | None = Field(None, validate_default=True)  # DE51

    @field_validator("cashback_amount")
    @classmethod
    def _cashback_inside_amount(cls, cashback: int | None, info: ValidationInfo) -> int | None:
        return cashback_inside(cashback, info.data.get("amount"))

    @field_validator("billing_currency")
    @classmethod
    def _billing_together(cls, currency: str | None, info: ValidationInfo) -> str | None:
        if (currency is None) != (info.data.get("billing_amount") is None):
            raise PydanticCustomError("billing_incomplete", "billing_amount and billing_currency come together")
        return currency

    def stored(self) -> dict[str, Any]:
        """The payment as it is stored and carried by events: the card's and the token's
        numbers masked, never in full."""
        exclude = self.later_defaults() | {"pan": True, "token": True}
        masked = {"masked_pan": mask_pan(self.pan)}
        return (
            self.model_dump(mode="json", exclude=exclude)
            | masked
            | ({"token": self.token.masked()} if self.token else {})
        )


class Clearing(RequestModel):
    """The final (clearing) amount of a payment the bank reported earlier: it replaces the
    authorised amount, which is kept (POST /v1/payments/clearing)."""

    bank_payment_id: Annotated[str, Text(64)]
    amount: PositiveAmount
    currency: Currency


class Reversal(RequestModel):
    """An issuer's reversal (ISO 8583 0400/0420) of a payment it reported, in full or of a
    part of it (POST /v1/payments/reversals)."""

    bank_payment_id: Annotated[str, Text(64)]
    reversal_id: Annotated[str, Text(64)] | None = None  # the issuer's id of its reversal message
    amount: PositiveAmount | None = None  # the part reversed, in the payment's currency; none: all of it


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
    par: Par | None = None  # the account's, where the bank has it: finds a receipt a wallet paid

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
            "par": self.par,
        }
