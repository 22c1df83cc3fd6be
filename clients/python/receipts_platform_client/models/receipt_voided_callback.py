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
    from ..models.receipt_voided import ReceiptVoided


T = TypeVar("T", bound="ReceiptVoidedCallback")


@_attrs_define
class ReceiptVoidedCallback:
    """
    Attributes:
        id (str):
        created_at (datetime.datetime):
        type_ (Literal['receipt.voided']):
        data (ReceiptVoided): The receipt a bank's payment was matched to was voided at the till: its app removes it.
    """

    id: str
    created_at: datetime.datetime
    type_: Literal["receipt.voided"]
    data: ReceiptVoided
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
        from ..models.receipt_voided import ReceiptVoided

        d = dict(src_dict)
        id = d.pop("id")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        type_ = cast(Literal["receipt.voided"], d.pop("type"))
        if type_ != "receipt.voided":
            raise ValueError(f"type must match const 'receipt.voided', got '{type_}'")

        data = ReceiptVoided.from_dict(d.pop("data"))

        receipt_voided_callback = cls(
            id=id,
            created_at=created_at,
            type_=type_,
            data=data,
        )

        receipt_voided_callback.additional_properties = d
        return receipt_voided_callback

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
