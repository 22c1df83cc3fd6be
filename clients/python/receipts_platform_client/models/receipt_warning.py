from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ReceiptWarning")


@_attrs_define
class ReceiptWarning:
    """A rule of the platform's receipt that a till's document breaks, where the document
    breaks it: the document was taken as printed (SPEC §12). The code is the one the JSON
    API's 422 uses for the same rule; amount_precision (an amount read rounded) and
    original_unknown (a return kept unlinked) are a document's own.

        Attributes:
            path (str):
            code (str):
            message (str):
    """

    path: str
    code: str
    message: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        path = self.path

        code = self.code

        message = self.message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "path": path,
                "code": code,
                "message": message,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        path = d.pop("path")

        code = d.pop("code")

        message = d.pop("message")

        receipt_warning = cls(
            path=path,
            code=code,
            message=message,
        )

        receipt_warning.additional_properties = d
        return receipt_warning

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
