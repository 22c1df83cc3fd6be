from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.address_country import AddressCountry

T = TypeVar("T", bound="Address")


@_attrs_define
class Address:
    """
    Attributes:
        street (str):
        postal_code (str):
        city (str):
        country (AddressCountry):
    """

    street: str
    postal_code: str
    city: str
    country: AddressCountry

    def to_dict(self) -> dict[str, Any]:
        street = self.street

        postal_code = self.postal_code

        city = self.city

        country = self.country.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "street": street,
                "postal_code": postal_code,
                "city": city,
                "country": country,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        street = d.pop("street")

        postal_code = d.pop("postal_code")

        city = d.pop("city")

        country = AddressCountry(d.pop("country"))

        address = cls(
            street=street,
            postal_code=postal_code,
            city=city,
            country=country,
        )

        return address
