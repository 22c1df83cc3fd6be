from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.clearing_currency import ClearingCurrency

T = TypeVar("T", bound="Clearing")


@_attrs_define
class Clearing:
    """The final (clearing) amount of a payment the bank reported earlier: it replaces the
    authorised amount, which is kept (POST /v1/payments/clearing).

        Attributes:
            bank_payment_id (str):
            amount (int): minor units
            currency (ClearingCurrency): ISO 4217 alpha-3 code
    """

    bank_payment_id: str
    amount: int
    currency: ClearingCurrency

    def to_dict(self) -> dict[str, Any]:
        bank_payment_id = self.bank_payment_id

        amount = self.amount

        currency = self.currency.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "bank_payment_id": bank_payment_id,
                "amount": amount,
                "currency": currency,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        bank_payment_id = d.pop("bank_payment_id")

        amount = d.pop("amount")

        currency = ClearingCurrency(d.pop("currency"))

        clearing = cls(
            bank_payment_id=bank_payment_id,
            amount=amount,
            currency=currency,
        )

        return clearing
