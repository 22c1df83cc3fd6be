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

T = TypeVar("T", bound="AccountErased")


@_attrs_define
class AccountErased:
    """An erasure done: the payments of the account no longer name it, anywhere.

    Attributes:
        erasure_id (str):
        payments (int):
        status (Literal['erased']):
    """

    erasure_id: str
    payments: int
    status: Literal["erased"]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        erasure_id = self.erasure_id

        payments = self.payments

        status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "erasure_id": erasure_id,
                "payments": payments,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        erasure_id = d.pop("erasure_id")

        payments = d.pop("payments")

        status = cast(Literal["erased"], d.pop("status"))
        if status != "erased":
            raise ValueError(f"status must match const 'erased', got '{status}'")

        account_erased = cls(
            erasure_id=erasure_id,
            payments=payments,
            status=status,
        )

        account_erased.additional_properties = d
        return account_erased

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
