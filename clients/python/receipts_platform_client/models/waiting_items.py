from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.tally import Tally


T = TypeVar("T", bound="WaitingItems")


@_attrs_define
class WaitingItems:
    """
    Attributes:
        receipts (Tally):
        payments (Tally):
    """

    receipts: Tally
    payments: Tally
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        receipts = self.receipts.to_dict()

        payments = self.payments.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "receipts": receipts,
                "payments": payments,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.tally import Tally

        d = dict(src_dict)
        receipts = Tally.from_dict(d.pop("receipts"))

        payments = Tally.from_dict(d.pop("payments"))

        waiting_items = cls(
            receipts=receipts,
            payments=payments,
        )

        waiting_items.additional_properties = d
        return waiting_items

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
