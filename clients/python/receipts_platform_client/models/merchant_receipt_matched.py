from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="MerchantReceiptMatched")


@_attrs_define
class MerchantReceiptMatched:
    """A merchant's receipt was matched to a card payment; customer_id is stable per cardholder
    account and merchant, and tells one merchant nothing of another's customers.

        Attributes:
            receipt_id (str):
            merchant_receipt_id (str):
            customer_id (str):
    """

    receipt_id: str
    merchant_receipt_id: str
    customer_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        receipt_id = self.receipt_id

        merchant_receipt_id = self.merchant_receipt_id

        customer_id = self.customer_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "receipt_id": receipt_id,
                "merchant_receipt_id": merchant_receipt_id,
                "customer_id": customer_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        receipt_id = d.pop("receipt_id")

        merchant_receipt_id = d.pop("merchant_receipt_id")

        customer_id = d.pop("customer_id")

        merchant_receipt_matched = cls(
            receipt_id=receipt_id,
            merchant_receipt_id=merchant_receipt_id,
            customer_id=customer_id,
        )

        merchant_receipt_matched.additional_properties = d
        return merchant_receipt_matched

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
