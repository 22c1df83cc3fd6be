from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="Discount")


@_attrs_define
class Discount:
    """A reduction printed under a line (a campaign, a member price).

    Attributes:
        description (str):
        amount (int): minor units
    """

    description: str
    amount: int

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        amount = self.amount

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "description": description,
                "amount": amount,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        description = d.pop("description")

        amount = d.pop("amount")

        discount = cls(
            description=description,
            amount=amount,
        )

        return discount
