from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.vat_total import VatTotal


T = TypeVar("T", bound="Totals")


@_attrs_define
class Totals:
    """
    Attributes:
        subtotal (int): minor units
        tax (int): minor units
        tip (int): minor units
        total (int): minor units
        rounding (int | Unset): minor units, signed Default: 0.
        vat (list[VatTotal] | None | Unset):
    """

    subtotal: int
    tax: int
    tip: int
    total: int
    rounding: int | Unset = 0
    vat: list[VatTotal] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        subtotal = self.subtotal

        tax = self.tax

        tip = self.tip

        total = self.total

        rounding = self.rounding

        vat: list[dict[str, Any]] | None | Unset
        if isinstance(self.vat, Unset):
            vat = UNSET
        elif isinstance(self.vat, list):
            vat = []
            for vat_type_0_item_data in self.vat:
                vat_type_0_item = vat_type_0_item_data.to_dict()
                vat.append(vat_type_0_item)

        else:
            vat = self.vat

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "subtotal": subtotal,
                "tax": tax,
                "tip": tip,
                "total": total,
            }
        )
        if rounding is not UNSET:
            field_dict["rounding"] = rounding
        if vat is not UNSET:
            field_dict["vat"] = vat

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.vat_total import VatTotal

        d = dict(src_dict)
        subtotal = d.pop("subtotal")

        tax = d.pop("tax")

        tip = d.pop("tip")

        total = d.pop("total")

        rounding = d.pop("rounding", UNSET)

        def _parse_vat(data: object) -> list[VatTotal] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                vat_type_0 = []
                _vat_type_0 = data
                for vat_type_0_item_data in _vat_type_0:
                    vat_type_0_item = VatTotal.from_dict(vat_type_0_item_data)

                    vat_type_0.append(vat_type_0_item)

                return vat_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[VatTotal] | None | Unset, data)

        vat = _parse_vat(d.pop("vat", UNSET))

        totals = cls(
            subtotal=subtotal,
            tax=tax,
            tip=tip,
            total=total,
            rounding=rounding,
            vat=vat,
        )

        return totals
