from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="VatTotal")


@_attrs_define
class VatTotal:
    """One rate's part of the receipt: net + vat == gross (minor units).

    Attributes:
        rate (float): percent, at most 2 decimals
        net (int): minor units
        vat (int): minor units
        gross (int): minor units
    """

    rate: float
    net: int
    vat: int
    gross: int

    def to_dict(self) -> dict[str, Any]:
        rate = self.rate

        net = self.net

        vat = self.vat

        gross = self.gross

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "rate": rate,
                "net": net,
                "vat": vat,
                "gross": gross,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        rate = d.pop("rate")

        net = d.pop("net")

        vat = d.pop("vat")

        gross = d.pop("gross")

        vat_total = cls(
            rate=rate,
            net=net,
            vat=vat,
            gross=gross,
        )

        return vat_total
