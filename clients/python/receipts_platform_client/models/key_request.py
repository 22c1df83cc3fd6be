from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="KeyRequest")


@_attrs_define
class KeyRequest:
    """POST /v1/admin/{merchants|banks}/{id}/api-keys: another key, living for good or for
    so many hours (a key handed to a contractor, a test till).

        Attributes:
            expires_in_hours (int | None | Unset):
    """

    expires_in_hours: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        expires_in_hours: int | None | Unset
        if isinstance(self.expires_in_hours, Unset):
            expires_in_hours = UNSET
        else:
            expires_in_hours = self.expires_in_hours

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if expires_in_hours is not UNSET:
            field_dict["expires_in_hours"] = expires_in_hours

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_expires_in_hours(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        expires_in_hours = _parse_expires_in_hours(d.pop("expires_in_hours", UNSET))

        key_request = cls(
            expires_in_hours=expires_in_hours,
        )

        return key_request
