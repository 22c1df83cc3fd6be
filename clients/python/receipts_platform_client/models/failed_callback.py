from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.failed_callback_party_kind import FailedCallbackPartyKind

T = TypeVar("T", bound="FailedCallback")


@_attrs_define
class FailedCallback:
    """
    Attributes:
        callback_id (str):
        payment_id (str):
        bank_payment_id (str):
        party_kind (FailedCallbackPartyKind):
        party_id (str):
        attempts (int):
        last_error (None | str):
        failed_at (str):
    """

    callback_id: str
    payment_id: str
    bank_payment_id: str
    party_kind: FailedCallbackPartyKind
    party_id: str
    attempts: int
    last_error: None | str
    failed_at: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        callback_id = self.callback_id

        payment_id = self.payment_id

        bank_payment_id = self.bank_payment_id

        party_kind = self.party_kind.value

        party_id = self.party_id

        attempts = self.attempts

        last_error: None | str
        last_error = self.last_error

        failed_at = self.failed_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "callback_id": callback_id,
                "payment_id": payment_id,
                "bank_payment_id": bank_payment_id,
                "party_kind": party_kind,
                "party_id": party_id,
                "attempts": attempts,
                "last_error": last_error,
                "failed_at": failed_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        callback_id = d.pop("callback_id")

        payment_id = d.pop("payment_id")

        bank_payment_id = d.pop("bank_payment_id")

        party_kind = FailedCallbackPartyKind(d.pop("party_kind"))

        party_id = d.pop("party_id")

        attempts = d.pop("attempts")

        def _parse_last_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_error = _parse_last_error(d.pop("last_error"))

        failed_at = d.pop("failed_at")

        failed_callback = cls(
            callback_id=callback_id,
            payment_id=payment_id,
            bank_payment_id=bank_payment_id,
            party_kind=party_kind,
            party_id=party_id,
            attempts=attempts,
            last_error=last_error,
            failed_at=failed_at,
        )

        failed_callback.additional_properties = d
        return failed_callback

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
