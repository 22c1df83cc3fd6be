from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ReceiptFormats")


@_attrs_define
class ReceiptFormats:
    """The receipt's links in each format (SPEC §12), for an app that follows a link with no Accept header.

    Attributes:
        html (str):
        kivra (str):
        arts (str):
    """

    html: str
    kivra: str
    arts: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        html = self.html

        kivra = self.kivra

        arts = self.arts

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "html": html,
                "kivra": kivra,
                "arts": arts,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        html = d.pop("html")

        kivra = d.pop("kivra")

        arts = d.pop("arts")

        receipt_formats = cls(
            html=html,
            kivra=kivra,
            arts=arts,
        )

        receipt_formats.additional_properties = d
        return receipt_formats

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
