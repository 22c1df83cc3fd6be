from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.receipt_unlinked_reason import ReceiptUnlinkedReason

T = TypeVar("T", bound="ReceiptUnlinked")


@_attrs_define
class ReceiptUnlinked:
    """A bank's payment is no longer matched to the receipt: its final amount differs, it was
    reversed, or the operator undid the match. Its app removes the receipt.

        Attributes:
            payment_id (str):
            bank_payment_id (str):
            account_ref (str):
            receipt_id (str):
            reason (ReceiptUnlinkedReason):
            amount (int):
            authorised_amount (int | None):
    """

    payment_id: str
    bank_payment_id: str
    account_ref: str
    receipt_id: str
    reason: ReceiptUnlinkedReason
    amount: int
    authorised_amount: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        payment_id = self.payment_id

        bank_payment_id = self.bank_payment_id

        account_ref = self.account_ref

        receipt_id = self.receipt_id

        reason = self.reason.value

        amount = self.amount

        authorised_amount: int | None
        authorised_amount = self.authorised_amount

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "payment_id": payment_id,
                "bank_payment_id": bank_payment_id,
                "account_ref": account_ref,
                "receipt_id": receipt_id,
                "reason": reason,
                "amount": amount,
                "authorised_amount": authorised_amount,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        payment_id = d.pop("payment_id")

        bank_payment_id = d.pop("bank_payment_id")

        account_ref = d.pop("account_ref")

        receipt_id = d.pop("receipt_id")

        reason = ReceiptUnlinkedReason(d.pop("reason"))

        amount = d.pop("amount")

        def _parse_authorised_amount(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        authorised_amount = _parse_authorised_amount(d.pop("authorised_amount"))

        receipt_unlinked = cls(
            payment_id=payment_id,
            bank_payment_id=bank_payment_id,
            account_ref=account_ref,
            receipt_id=receipt_id,
            reason=reason,
            amount=amount,
            authorised_amount=authorised_amount,
        )

        receipt_unlinked.additional_properties = d
        return receipt_unlinked

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
