from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.discount_share import DiscountShare


T = TypeVar("T", bound="ReceiptDiscount")


@_attrs_define
class ReceiptDiscount:
    """A reduction of several lines or the whole receipt ("3 for 2", 10 % off today), shared
    out over the lines it reduces, so that VAT per rate stays computable.

        Attributes:
            description (str):
            amount (int): minor units
            shares (list[DiscountShare]):
    """

    description: str
    amount: int
    shares: list[DiscountShare]

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        amount = self.amount

        shares = []
        for shares_item_data in self.shares:
            shares_item = shares_item_data.to_dict()
            shares.append(shares_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "description": description,
                "amount": amount,
                "shares": shares,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.discount_share import DiscountShare

        d = dict(src_dict)
        description = d.pop("description")

        amount = d.pop("amount")

        shares = []
        _shares = d.pop("shares")
        for shares_item_data in _shares:
            shares_item = DiscountShare.from_dict(shares_item_data)

            shares.append(shares_item)

        receipt_discount = cls(
            description=description,
            amount=amount,
            shares=shares,
        )

        return receipt_discount
