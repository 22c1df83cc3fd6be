from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.receipt_accepted_status import ReceiptAcceptedStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.receipt_warning import ReceiptWarning


T = TypeVar("T", bound="ReceiptAccepted")


@_attrs_define
class ReceiptAccepted:
    """
    Attributes:
        id (str):
        status (ReceiptAcceptedStatus):
        merchant_receipt_id (str):
        warnings (list[ReceiptWarning] | Unset):
    """

    id: str
    status: ReceiptAcceptedStatus
    merchant_receipt_id: str
    warnings: list[ReceiptWarning] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        status = self.status.value

        merchant_receipt_id = self.merchant_receipt_id

        warnings: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.warnings, Unset):
            warnings = []
            for warnings_item_data in self.warnings:
                warnings_item = warnings_item_data.to_dict()
                warnings.append(warnings_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "merchant_receipt_id": merchant_receipt_id,
            }
        )
        if warnings is not UNSET:
            field_dict["warnings"] = warnings

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.receipt_warning import ReceiptWarning

        d = dict(src_dict)
        id = d.pop("id")

        status = ReceiptAcceptedStatus(d.pop("status"))

        merchant_receipt_id = d.pop("merchant_receipt_id")

        _warnings = d.pop("warnings", UNSET)
        warnings: list[ReceiptWarning] | Unset = UNSET
        if _warnings is not UNSET:
            warnings = []
            for warnings_item_data in _warnings:
                warnings_item = ReceiptWarning.from_dict(warnings_item_data)

                warnings.append(warnings_item)

        receipt_accepted = cls(
            id=id,
            status=status,
            merchant_receipt_id=merchant_receipt_id,
            warnings=warnings,
        )

        receipt_accepted.additional_properties = d
        return receipt_accepted

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
