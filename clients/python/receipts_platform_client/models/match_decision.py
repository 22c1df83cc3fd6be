from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="MatchDecision")


@_attrs_define
class MatchDecision:
    """A match the operator made (rule manual), or undid (status unlinked, with the rule it had).

    Attributes:
        receipt_id (str):
        payment_id (str):
        match_rule (str):
        status (Literal['unlinked'] | None | Unset):
    """

    receipt_id: str
    payment_id: str
    match_rule: str
    status: Literal["unlinked"] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        receipt_id = self.receipt_id

        payment_id = self.payment_id

        match_rule = self.match_rule

        status: Literal["unlinked"] | None | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        else:
            status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "receipt_id": receipt_id,
                "payment_id": payment_id,
                "match_rule": match_rule,
            }
        )
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        receipt_id = d.pop("receipt_id")

        payment_id = d.pop("payment_id")

        match_rule = d.pop("match_rule")

        def _parse_status(data: object) -> Literal["unlinked"] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            status_type_0 = cast(Literal["unlinked"], data)
            if status_type_0 != "unlinked":
                raise ValueError(f"status_type_0 must match const 'unlinked', got '{status_type_0}'")
            return status_type_0
            return cast(Literal["unlinked"] | None | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        match_decision = cls(
            receipt_id=receipt_id,
            payment_id=payment_id,
            match_rule=match_rule,
            status=status,
        )

        match_decision.additional_properties = d
        return match_decision

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
