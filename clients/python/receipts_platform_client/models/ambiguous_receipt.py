from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.card_payment_line import CardPaymentLine


T = TypeVar("T", bound="AmbiguousReceipt")


@_attrs_define
class AmbiguousReceipt:
    """
    Attributes:
        id (str):
        merchant_receipt_id (str):
        lines (list[CardPaymentLine]):
    """

    id: str
    merchant_receipt_id: str
    lines: list[CardPaymentLine]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        merchant_receipt_id = self.merchant_receipt_id

        lines = []
        for lines_item_data in self.lines:
            lines_item = lines_item_data.to_dict()
            lines.append(lines_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "merchant_receipt_id": merchant_receipt_id,
                "lines": lines,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.card_payment_line import CardPaymentLine

        d = dict(src_dict)
        id = d.pop("id")

        merchant_receipt_id = d.pop("merchant_receipt_id")

        lines = []
        _lines = d.pop("lines")
        for lines_item_data in _lines:
            lines_item = CardPaymentLine.from_dict(lines_item_data)

            lines.append(lines_item)

        ambiguous_receipt = cls(
            id=id,
            merchant_receipt_id=merchant_receipt_id,
            lines=lines,
        )

        ambiguous_receipt.additional_properties = d
        return ambiguous_receipt

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
