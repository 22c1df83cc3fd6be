from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PartyEndpoint")


@_attrs_define
class PartyEndpoint:
    """A party's callback endpoint after a change (and a bank's client certificate subject).

    Attributes:
        id (str):
        name (str):
        callback_url (str):
        client_cert_subject (None | str | Unset): banks only: the certificate its keys are bound to
    """

    id: str
    name: str
    callback_url: str
    client_cert_subject: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        callback_url = self.callback_url

        client_cert_subject: None | str | Unset
        if isinstance(self.client_cert_subject, Unset):
            client_cert_subject = UNSET
        else:
            client_cert_subject = self.client_cert_subject

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "callback_url": callback_url,
            }
        )
        if client_cert_subject is not UNSET:
            field_dict["client_cert_subject"] = client_cert_subject

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        callback_url = d.pop("callback_url")

        def _parse_client_cert_subject(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        client_cert_subject = _parse_client_cert_subject(d.pop("client_cert_subject", UNSET))

        party_endpoint = cls(
            id=id,
            name=name,
            callback_url=callback_url,
            client_cert_subject=client_cert_subject,
        )

        party_endpoint.additional_properties = d
        return party_endpoint

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
