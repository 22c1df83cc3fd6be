from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.other_tender_type import OtherTenderType

T = TypeVar("T", bound="OtherTender")


@_attrs_define
class OtherTender:
    """A tender beside the card (split tender): never matched, counted toward the total.

    Attributes:
        type_ (OtherTenderType):
        amount (int): minor units
    """

    type_: OtherTenderType
    amount: int

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        amount = self.amount

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "amount": amount,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = OtherTenderType(d.pop("type"))

        amount = d.pop("amount")

        other_tender = cls(
            type_=type_,
            amount=amount,
        )

        return other_tender
