from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.itemised_receipt import ItemisedReceipt
    from ..models.receipt_formats import ReceiptFormats


T = TypeVar("T", bound="BankReceiptMatched")


@_attrs_define
class BankReceiptMatched:
    """A bank's payment was matched to a receipt: the receipt itself and its links.

    Attributes:
        payment_id (str):
        bank_payment_id (str):
        account_ref (str):
        receipt (ItemisedReceipt): A receipt as a bank is given it: in its callback, or found by a look-up.
        receipt_url (str):
        receipt_formats (ReceiptFormats): The receipt's links in each format (SPEC §12), for an app that follows a link
            with no Accept header.
    """

    payment_id: str
    bank_payment_id: str
    account_ref: str
    receipt: ItemisedReceipt
    receipt_url: str
    receipt_formats: ReceiptFormats
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        payment_id = self.payment_id

        bank_payment_id = self.bank_payment_id

        account_ref = self.account_ref

        receipt = self.receipt.to_dict()

        receipt_url = self.receipt_url

        receipt_formats = self.receipt_formats.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "payment_id": payment_id,
                "bank_payment_id": bank_payment_id,
                "account_ref": account_ref,
                "receipt": receipt,
                "receipt_url": receipt_url,
                "receipt_formats": receipt_formats,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.itemised_receipt import ItemisedReceipt
        from ..models.receipt_formats import ReceiptFormats

        d = dict(src_dict)
        payment_id = d.pop("payment_id")

        bank_payment_id = d.pop("bank_payment_id")

        account_ref = d.pop("account_ref")

        receipt = ItemisedReceipt.from_dict(d.pop("receipt"))

        receipt_url = d.pop("receipt_url")

        receipt_formats = ReceiptFormats.from_dict(d.pop("receipt_formats"))

        bank_receipt_matched = cls(
            payment_id=payment_id,
            bank_payment_id=bank_payment_id,
            account_ref=account_ref,
            receipt=receipt,
            receipt_url=receipt_url,
            receipt_formats=receipt_formats,
        )

        bank_receipt_matched.additional_properties = d
        return bank_receipt_matched

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
