from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="DiscountShare")


@_attrs_define
class DiscountShare:
    """The part of a receipt's discount that reduces one line (by its 0-based index).

    Attributes:
        line (int):
        amount (int): minor units
    """

    line: int
    amount: int

    def to_dict(self) -> dict[str, Any]:
        line = self.line

        amount = self.amount

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "line": line,
                "amount": amount,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        line = d.pop("line")

        amount = d.pop("amount")

        discount_share = cls(
            line=line,
            amount=amount,
        )

        return discount_share
