from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.receipt_unlinked import ReceiptUnlinked


T = TypeVar("T", bound="ReceiptUnlinkedCallback")


@_attrs_define
class ReceiptUnlinkedCallback:
    """
    Attributes:
        id (str):
        created_at (datetime.datetime):
        type_ (Literal['receipt.unlinked']):
        data (ReceiptUnlinked): A bank's payment is no longer matched to the receipt: its final amount differs, it was
            reversed, or the operator undid the match. Its app removes the receipt.
    """

    id: str
    created_at: datetime.datetime
    type_: Literal["receipt.unlinked"]
    data: ReceiptUnlinked
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        created_at = self.created_at.isoformat()

        type_ = self.type_

        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "created_at": created_at,
                "type": type_,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.receipt_unlinked import ReceiptUnlinked

        d = dict(src_dict)
        id = d.pop("id")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        type_ = cast(Literal["receipt.unlinked"], d.pop("type"))
        if type_ != "receipt.unlinked":
            raise ValueError(f"type must match const 'receipt.unlinked', got '{type_}'")

        data = ReceiptUnlinked.from_dict(d.pop("data"))

        receipt_unlinked_callback = cls(
            id=id,
            created_at=created_at,
            type_=type_,
            data=data,
        )

        receipt_unlinked_callback.additional_properties = d
        return receipt_unlinked_callback

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
