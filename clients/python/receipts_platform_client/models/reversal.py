from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Reversal")


@_attrs_define
class Reversal:
    """An issuer's reversal (ISO 8583 0400/0420) of a payment it reported, in full or of a
    part of it (POST /v1/payments/reversals).

        Attributes:
            bank_payment_id (str):
            reversal_id (None | str | Unset):
            amount (int | None | Unset):
    """

    bank_payment_id: str
    reversal_id: None | str | Unset = UNSET
    amount: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        bank_payment_id = self.bank_payment_id

        reversal_id: None | str | Unset
        if isinstance(self.reversal_id, Unset):
            reversal_id = UNSET
        else:
            reversal_id = self.reversal_id

        amount: int | None | Unset
        if isinstance(self.amount, Unset):
            amount = UNSET
        else:
            amount = self.amount

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "bank_payment_id": bank_payment_id,
            }
        )
        if reversal_id is not UNSET:
            field_dict["reversal_id"] = reversal_id
        if amount is not UNSET:
            field_dict["amount"] = amount

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        bank_payment_id = d.pop("bank_payment_id")

        def _parse_reversal_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reversal_id = _parse_reversal_id(d.pop("reversal_id", UNSET))

        def _parse_amount(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        amount = _parse_amount(d.pop("amount", UNSET))

        reversal = cls(
            bank_payment_id=bank_payment_id,
            reversal_id=reversal_id,
            amount=amount,
        )

        return reversal
