from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ManualMatch")


@_attrs_define
class ManualMatch:
    """POST /v1/admin/matches: this payment pays this receipt (its only open card line, or line_no).

    Attributes:
        receipt_id (UUID):
        payment_id (UUID):
        line_no (int | None | Unset):
    """

    receipt_id: UUID
    payment_id: UUID
    line_no: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        receipt_id = str(self.receipt_id)

        payment_id = str(self.payment_id)

        line_no: int | None | Unset
        if isinstance(self.line_no, Unset):
            line_no = UNSET
        else:
            line_no = self.line_no

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "receipt_id": receipt_id,
                "payment_id": payment_id,
            }
        )
        if line_no is not UNSET:
            field_dict["line_no"] = line_no

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        receipt_id = UUID(d.pop("receipt_id"))

        payment_id = UUID(d.pop("payment_id"))

        def _parse_line_no(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        line_no = _parse_line_no(d.pop("line_no", UNSET))

        manual_match = cls(
            receipt_id=receipt_id,
            payment_id=payment_id,
            line_no=line_no,
        )

        return manual_match
