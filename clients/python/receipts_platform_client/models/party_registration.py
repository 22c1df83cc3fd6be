from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="PartyRegistration")


@_attrs_define
class PartyRegistration:
    """
    Attributes:
        name (str):
        callback_url (str):
    """

    name: str
    callback_url: str

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        callback_url = self.callback_url

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "callback_url": callback_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        callback_url = d.pop("callback_url")

        party_registration = cls(
            name=name,
            callback_url=callback_url,
        )

        return party_registration
