from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ReceiptVoided")


@_attrs_define
class ReceiptVoided:
    """The receipt a bank's payment was matched to was voided at the till: its app removes it.

    Attributes:
        payment_id (str):
        bank_payment_id (str):
        account_ref (str):
        receipt_id (str):
    """

    payment_id: str
    bank_payment_id: str
    account_ref: str
    receipt_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        payment_id = self.payment_id

        bank_payment_id = self.bank_payment_id

        account_ref = self.account_ref

        receipt_id = self.receipt_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "payment_id": payment_id,
                "bank_payment_id": bank_payment_id,
                "account_ref": account_ref,
                "receipt_id": receipt_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        payment_id = d.pop("payment_id")

        bank_payment_id = d.pop("bank_payment_id")

        account_ref = d.pop("account_ref")

        receipt_id = d.pop("receipt_id")

        receipt_voided = cls(
            payment_id=payment_id,
            bank_payment_id=bank_payment_id,
            account_ref=account_ref,
            receipt_id=receipt_id,
        )

        receipt_voided.additional_properties = d
        return receipt_voided

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
