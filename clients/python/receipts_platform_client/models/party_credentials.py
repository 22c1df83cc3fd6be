from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PartyCredentials")


@_attrs_define
class PartyCredentials:
    """A new merchant or bank. api_key and webhook_secret are shown this once only.

    Attributes:
        id (str):
        name (str):
        callback_url (str):
        api_key (str):
        webhook_secret (str):
    """

    id: str
    name: str
    callback_url: str
    api_key: str
    webhook_secret: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        callback_url = self.callback_url

        api_key = self.api_key

        webhook_secret = self.webhook_secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "callback_url": callback_url,
                "api_key": api_key,
                "webhook_secret": webhook_secret,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        callback_url = d.pop("callback_url")

        api_key = d.pop("api_key")

        webhook_secret = d.pop("webhook_secret")

        party_credentials = cls(
            id=id,
            name=name,
            callback_url=callback_url,
            api_key=api_key,
            webhook_secret=webhook_secret,
        )

        party_credentials.additional_properties = d
        return party_credentials

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
