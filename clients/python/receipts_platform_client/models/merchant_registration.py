from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.address import Address


T = TypeVar("T", bound="MerchantRegistration")


@_attrs_define
class MerchantRegistration:
    """POST /v1/admin/merchants: the merchant's name and endpoint, and its identity.

    Attributes:
        name (str):
        callback_url (str):
        legal_name (None | str | Unset):
        address (Address | None | Unset):
        vat_id (None | str | Unset):
        tax_number (None | str | Unset):
        logo (None | str | Unset):
        kivra_service_id (None | str | Unset):
    """

    name: str
    callback_url: str
    legal_name: None | str | Unset = UNSET
    address: Address | None | Unset = UNSET
    vat_id: None | str | Unset = UNSET
    tax_number: None | str | Unset = UNSET
    logo: None | str | Unset = UNSET
    kivra_service_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.address import Address

        name = self.name

        callback_url = self.callback_url

        legal_name: None | str | Unset
        if isinstance(self.legal_name, Unset):
            legal_name = UNSET
        else:
            legal_name = self.legal_name

        address: dict[str, Any] | None | Unset
        if isinstance(self.address, Unset):
            address = UNSET
        elif isinstance(self.address, Address):
            address = self.address.to_dict()
        else:
            address = self.address

        vat_id: None | str | Unset
        if isinstance(self.vat_id, Unset):
            vat_id = UNSET
        else:
            vat_id = self.vat_id

        tax_number: None | str | Unset
        if isinstance(self.tax_number, Unset):
            tax_number = UNSET
        else:
            tax_number = self.tax_number

        logo: None | str | Unset
        if isinstance(self.logo, Unset):
            logo = UNSET
        else:
            logo = self.logo

        kivra_service_id: None | str | Unset
        if isinstance(self.kivra_service_id, Unset):
            kivra_service_id = UNSET
        else:
            kivra_service_id = self.kivra_service_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "callback_url": callback_url,
            }
        )
        if legal_name is not UNSET:
            field_dict["legal_name"] = legal_name
        if address is not UNSET:
            field_dict["address"] = address
        if vat_id is not UNSET:
            field_dict["vat_id"] = vat_id
        if tax_number is not UNSET:
            field_dict["tax_number"] = tax_number
        if logo is not UNSET:
            field_dict["logo"] = logo
        if kivra_service_id is not UNSET:
            field_dict["kivra_service_id"] = kivra_service_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.address import Address

        d = dict(src_dict)
        name = d.pop("name")

        callback_url = d.pop("callback_url")

        def _parse_legal_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        legal_name = _parse_legal_name(d.pop("legal_name", UNSET))

        def _parse_address(data: object) -> Address | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                address_type_0 = Address.from_dict(data)

                return address_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Address | None | Unset, data)

        address = _parse_address(d.pop("address", UNSET))

        def _parse_vat_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        vat_id = _parse_vat_id(d.pop("vat_id", UNSET))

        def _parse_tax_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tax_number = _parse_tax_number(d.pop("tax_number", UNSET))

        def _parse_logo(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        logo = _parse_logo(d.pop("logo", UNSET))

        def _parse_kivra_service_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        kivra_service_id = _parse_kivra_service_id(d.pop("kivra_service_id", UNSET))

        merchant_registration = cls(
            name=name,
            callback_url=callback_url,
            legal_name=legal_name,
            address=address,
            vat_id=vat_id,
            tax_number=tax_number,
            logo=logo,
            kivra_service_id=kivra_service_id,
        )

        return merchant_registration
