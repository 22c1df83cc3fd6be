from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AmbiguousPayment")


@_attrs_define
class AmbiguousPayment:
    """
    Attributes:
        id (str):
        bank_payment_id (str):
        masked_pan (str):
        amount (int):
        currency (str):
        transaction_date (str):
    """

    id: str
    bank_payment_id: str
    masked_pan: str
    amount: int
    currency: str
    transaction_date: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        bank_payment_id = self.bank_payment_id

        masked_pan = self.masked_pan

        amount = self.amount

        currency = self.currency

        transaction_date = self.transaction_date

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "bank_payment_id": bank_payment_id,
                "masked_pan": masked_pan,
                "amount": amount,
                "currency": currency,
                "transaction_date": transaction_date,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        bank_payment_id = d.pop("bank_payment_id")

        masked_pan = d.pop("masked_pan")

        amount = d.pop("amount")

        currency = d.pop("currency")

        transaction_date = d.pop("transaction_date")

        ambiguous_payment = cls(
            id=id,
            bank_payment_id=bank_payment_id,
            masked_pan=masked_pan,
            amount=amount,
            currency=currency,
            transaction_date=transaction_date,
        )

        ambiguous_payment.additional_properties = d
        return ambiguous_payment

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
