from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Legal")


@_attrs_define
class Legal:
    """Whether the receipt can stand in for the paper slip where its merchant is.

    Attributes:
        jurisdiction (None | str):
        complete (bool | None):
        missing (list[str]):
        inconsistent (list[str] | None | Unset):
    """

    jurisdiction: None | str
    complete: bool | None
    missing: list[str]
    inconsistent: list[str] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        jurisdiction: None | str
        jurisdiction = self.jurisdiction

        complete: bool | None
        complete = self.complete

        missing = self.missing

        inconsistent: list[str] | None | Unset
        if isinstance(self.inconsistent, Unset):
            inconsistent = UNSET
        elif isinstance(self.inconsistent, list):
            inconsistent = self.inconsistent

        else:
            inconsistent = self.inconsistent

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "jurisdiction": jurisdiction,
                "complete": complete,
                "missing": missing,
            }
        )
        if inconsistent is not UNSET:
            field_dict["inconsistent"] = inconsistent

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_jurisdiction(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        jurisdiction = _parse_jurisdiction(d.pop("jurisdiction"))

        def _parse_complete(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        complete = _parse_complete(d.pop("complete"))

        missing = cast(list[str], d.pop("missing"))

        def _parse_inconsistent(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                inconsistent_type_0 = cast(list[str], data)

                return inconsistent_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        inconsistent = _parse_inconsistent(d.pop("inconsistent", UNSET))

        legal = cls(
            jurisdiction=jurisdiction,
            complete=complete,
            missing=missing,
            inconsistent=inconsistent,
        )

        legal.additional_properties = d
        return legal

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
