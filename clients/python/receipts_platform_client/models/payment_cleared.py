from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payment_cleared_status import PaymentClearedStatus

T = TypeVar("T", bound="PaymentCleared")


@_attrs_define
class PaymentCleared:
    """
    Attributes:
        id (str):
        status (PaymentClearedStatus):
        bank_payment_id (str):
        amount (int):
        authorised_amount (int):
        receipt_id (None | str):
    """

    id: str
    status: PaymentClearedStatus
    bank_payment_id: str
    amount: int
    authorised_amount: int
    receipt_id: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        status = self.status.value

        bank_payment_id = self.bank_payment_id

        amount = self.amount

        authorised_amount = self.authorised_amount

        receipt_id: None | str
        receipt_id = self.receipt_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "bank_payment_id": bank_payment_id,
                "amount": amount,
                "authorised_amount": authorised_amount,
                "receipt_id": receipt_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        status = PaymentClearedStatus(d.pop("status"))

        bank_payment_id = d.pop("bank_payment_id")

        amount = d.pop("amount")

        authorised_amount = d.pop("authorised_amount")

        def _parse_receipt_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        receipt_id = _parse_receipt_id(d.pop("receipt_id"))

        payment_cleared = cls(
            id=id,
            status=status,
            bank_payment_id=bank_payment_id,
            amount=amount,
            authorised_amount=authorised_amount,
            receipt_id=receipt_id,
        )

        payment_cleared.additional_properties = d
        return payment_cleared

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
