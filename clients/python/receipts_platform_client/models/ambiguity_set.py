from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.ambiguous_payment import AmbiguousPayment
    from ..models.ambiguous_receipt import AmbiguousReceipt


T = TypeVar("T", bound="AmbiguitySet")


@_attrs_define
class AmbiguitySet:
    """Look-alike receipts and payments no rule would pick between: the operator's to settle.

    Attributes:
        id (str):
        rule (str):
        receipts (list[AmbiguousReceipt]):
        payments (list[AmbiguousPayment]):
        created_at (str):
    """

    id: str
    rule: str
    receipts: list[AmbiguousReceipt]
    payments: list[AmbiguousPayment]
    created_at: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        rule = self.rule

        receipts = []
        for receipts_item_data in self.receipts:
            receipts_item = receipts_item_data.to_dict()
            receipts.append(receipts_item)

        payments = []
        for payments_item_data in self.payments:
            payments_item = payments_item_data.to_dict()
            payments.append(payments_item)

        created_at = self.created_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "rule": rule,
                "receipts": receipts,
                "payments": payments,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.ambiguous_payment import AmbiguousPayment
        from ..models.ambiguous_receipt import AmbiguousReceipt

        d = dict(src_dict)
        id = d.pop("id")

        rule = d.pop("rule")

        receipts = []
        _receipts = d.pop("receipts")
        for receipts_item_data in _receipts:
            receipts_item = AmbiguousReceipt.from_dict(receipts_item_data)

            receipts.append(receipts_item)

        payments = []
        _payments = d.pop("payments")
        for payments_item_data in _payments:
            payments_item = AmbiguousPayment.from_dict(payments_item_data)

            payments.append(payments_item)

        created_at = d.pop("created_at")

        ambiguity_set = cls(
            id=id,
            rule=rule,
            receipts=receipts,
            payments=payments,
            created_at=created_at,
        )

        ambiguity_set.additional_properties = d
        return ambiguity_set

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
