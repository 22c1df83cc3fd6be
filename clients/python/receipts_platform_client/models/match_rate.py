from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.match_rate_of import MatchRateOf

if TYPE_CHECKING:
    from ..models.day_rate import DayRate


T = TypeVar("T", bound="MatchRate")


@_attrs_define
class MatchRate:
    """
    Attributes:
        of (MatchRateOf):
        days (list[DayRate]):
    """

    of: MatchRateOf
    days: list[DayRate]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        of = self.of.value

        days = []
        for days_item_data in self.days:
            days_item = days_item_data.to_dict()
            days.append(days_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "of": of,
                "days": days,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.day_rate import DayRate

        d = dict(src_dict)
        of = MatchRateOf(d.pop("of"))

        days = []
        _days = d.pop("days")
        for days_item_data in _days:
            days_item = DayRate.from_dict(days_item_data)

            days.append(days_item)

        match_rate = cls(
            of=of,
            days=days,
        )

        match_rate.additional_properties = d
        return match_rate

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
