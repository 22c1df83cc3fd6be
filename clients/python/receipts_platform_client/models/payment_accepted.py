from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payment_accepted_status import PaymentAcceptedStatus

T = TypeVar("T", bound="PaymentAccepted")


@_attrs_define
class PaymentAccepted:
    """
    Attributes:
        id (str):
        status (PaymentAcceptedStatus):
        bank_payment_id (str):
        masked_pan (str):
    """

    id: str
    status: PaymentAcceptedStatus
    bank_payment_id: str
    masked_pan: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        status = self.status.value

        bank_payment_id = self.bank_payment_id

        masked_pan = self.masked_pan

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "bank_payment_id": bank_payment_id,
                "masked_pan": masked_pan,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        status = PaymentAcceptedStatus(d.pop("status"))

        bank_payment_id = d.pop("bank_payment_id")

        masked_pan = d.pop("masked_pan")

        payment_accepted = cls(
            id=id,
            status=status,
            bank_payment_id=bank_payment_id,
            masked_pan=masked_pan,
        )

        payment_accepted.additional_properties = d
        return payment_accepted

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
