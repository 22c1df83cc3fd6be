from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.lookup_answer_match_rule import LookupAnswerMatchRule

if TYPE_CHECKING:
    from ..models.itemised_receipt import ItemisedReceipt
    from ..models.receipt_formats import ReceiptFormats


T = TypeVar("T", bound="LookupAnswer")


@_attrs_define
class LookupAnswer:
    """The one receipt a statement line's card data leads to, and the rule that found it.

    Attributes:
        receipt (ItemisedReceipt): A receipt as a bank is given it: in its callback, or found by a look-up.
        receipt_url (str):
        receipt_formats (ReceiptFormats): The receipt's links in each format (SPEC §12), for an app that follows a link
            with no Accept header.
        match_rule (LookupAnswerMatchRule):
    """

    receipt: ItemisedReceipt
    receipt_url: str
    receipt_formats: ReceiptFormats
    match_rule: LookupAnswerMatchRule
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        receipt = self.receipt.to_dict()

        receipt_url = self.receipt_url

        receipt_formats = self.receipt_formats.to_dict()

        match_rule = self.match_rule.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "receipt": receipt,
                "receipt_url": receipt_url,
                "receipt_formats": receipt_formats,
                "match_rule": match_rule,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.itemised_receipt import ItemisedReceipt
        from ..models.receipt_formats import ReceiptFormats

        d = dict(src_dict)
        receipt = ItemisedReceipt.from_dict(d.pop("receipt"))

        receipt_url = d.pop("receipt_url")

        receipt_formats = ReceiptFormats.from_dict(d.pop("receipt_formats"))

        match_rule = LookupAnswerMatchRule(d.pop("match_rule"))

        lookup_answer = cls(
            receipt=receipt,
            receipt_url=receipt_url,
            receipt_formats=receipt_formats,
            match_rule=match_rule,
        )

        lookup_answer.additional_properties = d
        return lookup_answer

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
