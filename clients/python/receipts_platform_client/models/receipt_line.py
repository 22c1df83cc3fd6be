from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.receipt_line_vat_exemption_type_0 import ReceiptLineVatExemptionType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.discount import Discount


T = TypeVar("T", bound="ReceiptLine")


@_attrs_define
class ReceiptLine:
    """
    Attributes:
        description (str):
        quantity (float): how many, or how much of a weighed good (at most 3 decimals)
        unit_price (int | None):
        amount (int | None):
        sku (None | str | Unset):
        unit (str | Unset): UN/ECE Recommendation 20 unit code Default: 'H87'.
        vat_rate (float | None | Unset):
        vat_exemption (None | ReceiptLineVatExemptionType0 | Unset):
        discounts (list[Discount] | Unset):
    """

    description: str
    quantity: float
    unit_price: int | None
    amount: int | None
    sku: None | str | Unset = UNSET
    unit: str | Unset = "H87"
    vat_rate: float | None | Unset = UNSET
    vat_exemption: None | ReceiptLineVatExemptionType0 | Unset = UNSET
    discounts: list[Discount] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        quantity = self.quantity

        unit_price: int | None
        unit_price = self.unit_price

        amount: int | None
        amount = self.amount

        sku: None | str | Unset
        if isinstance(self.sku, Unset):
            sku = UNSET
        else:
            sku = self.sku

        unit = self.unit

        vat_rate: float | None | Unset
        if isinstance(self.vat_rate, Unset):
            vat_rate = UNSET
        else:
            vat_rate = self.vat_rate

        vat_exemption: None | str | Unset
        if isinstance(self.vat_exemption, Unset):
            vat_exemption = UNSET
        elif isinstance(self.vat_exemption, ReceiptLineVatExemptionType0):
            vat_exemption = self.vat_exemption.value
        else:
            vat_exemption = self.vat_exemption

        discounts: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.discounts, Unset):
            discounts = []
            for discounts_item_data in self.discounts:
                discounts_item = discounts_item_data.to_dict()
                discounts.append(discounts_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "description": description,
                "quantity": quantity,
                "unit_price": unit_price,
                "amount": amount,
            }
        )
        if sku is not UNSET:
            field_dict["sku"] = sku
        if unit is not UNSET:
            field_dict["unit"] = unit
        if vat_rate is not UNSET:
            field_dict["vat_rate"] = vat_rate
        if vat_exemption is not UNSET:
            field_dict["vat_exemption"] = vat_exemption
        if discounts is not UNSET:
            field_dict["discounts"] = discounts

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.discount import Discount

        d = dict(src_dict)
        description = d.pop("description")

        quantity = d.pop("quantity")

        def _parse_unit_price(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        unit_price = _parse_unit_price(d.pop("unit_price"))

        def _parse_amount(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        amount = _parse_amount(d.pop("amount"))

        def _parse_sku(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sku = _parse_sku(d.pop("sku", UNSET))

        unit = d.pop("unit", UNSET)

        def _parse_vat_rate(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        vat_rate = _parse_vat_rate(d.pop("vat_rate", UNSET))

        def _parse_vat_exemption(data: object) -> None | ReceiptLineVatExemptionType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                vat_exemption_type_0 = ReceiptLineVatExemptionType0(data)

                return vat_exemption_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReceiptLineVatExemptionType0 | Unset, data)

        vat_exemption = _parse_vat_exemption(d.pop("vat_exemption", UNSET))

        _discounts = d.pop("discounts", UNSET)
        discounts: list[Discount] | Unset = UNSET
        if _discounts is not UNSET:
            discounts = []
            for discounts_item_data in _discounts:
                discounts_item = Discount.from_dict(discounts_item_data)

                discounts.append(discounts_item)

        receipt_line = cls(
            description=description,
            quantity=quantity,
            unit_price=unit_price,
            amount=amount,
            sku=sku,
            unit=unit,
            vat_rate=vat_rate,
            vat_exemption=vat_exemption,
            discounts=discounts,
        )

        return receipt_line
