from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.itemised_receipt_kind import ItemisedReceiptKind
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.card_payment_line import CardPaymentLine
    from ..models.fiscal import Fiscal
    from ..models.legal import Legal
    from ..models.merchant_ref import MerchantRef
    from ..models.other_tender import OtherTender
    from ..models.receipt_discount import ReceiptDiscount
    from ..models.receipt_line import ReceiptLine
    from ..models.receipt_warning import ReceiptWarning
    from ..models.store import Store
    from ..models.totals import Totals


T = TypeVar("T", bound="ItemisedReceipt")


@_attrs_define
class ItemisedReceipt:
    """A receipt as a bank is given it: in its callback, or found by a look-up.

    Attributes:
        id (str):
        merchant (MerchantRef): The merchant as a receipt names it: its identity where it gave one (the logo is on the
            page only).
        merchant_receipt_id (str):
        issued_at (str):
        currency (str):
        lines (list[ReceiptLine]):
        totals (Totals):
        payments (list[CardPaymentLine | OtherTender]):
        kind (ItemisedReceiptKind):
        legal (Legal): Whether the receipt can stand in for the paper slip where its merchant is.
        discounts (list[ReceiptDiscount] | None | Unset):
        prices_include_vat (bool | None | Unset):
        store (None | Store | Unset):
        fiscal (Fiscal | None | Unset):
        warnings (list[ReceiptWarning] | None | Unset):
    """

    id: str
    merchant: MerchantRef
    merchant_receipt_id: str
    issued_at: str
    currency: str
    lines: list[ReceiptLine]
    totals: Totals
    payments: list[CardPaymentLine | OtherTender]
    kind: ItemisedReceiptKind
    legal: Legal
    discounts: list[ReceiptDiscount] | None | Unset = UNSET
    prices_include_vat: bool | None | Unset = UNSET
    store: None | Store | Unset = UNSET
    fiscal: Fiscal | None | Unset = UNSET
    warnings: list[ReceiptWarning] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.card_payment_line import CardPaymentLine
        from ..models.fiscal import Fiscal
        from ..models.store import Store

        id = self.id

        merchant = self.merchant.to_dict()

        merchant_receipt_id = self.merchant_receipt_id

        issued_at = self.issued_at

        currency = self.currency

        lines = []
        for lines_item_data in self.lines:
            lines_item = lines_item_data.to_dict()
            lines.append(lines_item)

        totals = self.totals.to_dict()

        payments = []
        for payments_item_data in self.payments:
            payments_item: dict[str, Any]
            if isinstance(payments_item_data, CardPaymentLine):
                payments_item = payments_item_data.to_dict()
            else:
                payments_item = payments_item_data.to_dict()

            payments.append(payments_item)

        kind = self.kind.value

        legal = self.legal.to_dict()

        discounts: list[dict[str, Any]] | None | Unset
        if isinstance(self.discounts, Unset):
            discounts = UNSET
        elif isinstance(self.discounts, list):
            discounts = []
            for discounts_type_0_item_data in self.discounts:
                discounts_type_0_item = discounts_type_0_item_data.to_dict()
                discounts.append(discounts_type_0_item)

        else:
            discounts = self.discounts

        prices_include_vat: bool | None | Unset
        if isinstance(self.prices_include_vat, Unset):
            prices_include_vat = UNSET
        else:
            prices_include_vat = self.prices_include_vat

        store: dict[str, Any] | None | Unset
        if isinstance(self.store, Unset):
            store = UNSET
        elif isinstance(self.store, Store):
            store = self.store.to_dict()
        else:
            store = self.store

        fiscal: dict[str, Any] | None | Unset
        if isinstance(self.fiscal, Unset):
            fiscal = UNSET
        elif isinstance(self.fiscal, Fiscal):
            fiscal = self.fiscal.to_dict()
        else:
            fiscal = self.fiscal

        warnings: list[dict[str, Any]] | None | Unset
        if isinstance(self.warnings, Unset):
            warnings = UNSET
        elif isinstance(self.warnings, list):
            warnings = []
            for warnings_type_0_item_data in self.warnings:
                warnings_type_0_item = warnings_type_0_item_data.to_dict()
                warnings.append(warnings_type_0_item)

        else:
            warnings = self.warnings

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "merchant": merchant,
                "merchant_receipt_id": merchant_receipt_id,
                "issued_at": issued_at,
                "currency": currency,
                "lines": lines,
                "totals": totals,
                "payments": payments,
                "kind": kind,
                "legal": legal,
            }
        )
        if discounts is not UNSET:
            field_dict["discounts"] = discounts
        if prices_include_vat is not UNSET:
            field_dict["prices_include_vat"] = prices_include_vat
        if store is not UNSET:
            field_dict["store"] = store
        if fiscal is not UNSET:
            field_dict["fiscal"] = fiscal
        if warnings is not UNSET:
            field_dict["warnings"] = warnings

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.card_payment_line import CardPaymentLine
        from ..models.fiscal import Fiscal
        from ..models.legal import Legal
        from ..models.merchant_ref import MerchantRef
        from ..models.other_tender import OtherTender
        from ..models.receipt_discount import ReceiptDiscount
        from ..models.receipt_line import ReceiptLine
        from ..models.receipt_warning import ReceiptWarning
        from ..models.store import Store
        from ..models.totals import Totals

        d = dict(src_dict)
        id = d.pop("id")

        merchant = MerchantRef.from_dict(d.pop("merchant"))

        merchant_receipt_id = d.pop("merchant_receipt_id")

        issued_at = d.pop("issued_at")

        currency = d.pop("currency")

        lines = []
        _lines = d.pop("lines")
        for lines_item_data in _lines:
            lines_item = ReceiptLine.from_dict(lines_item_data)

            lines.append(lines_item)

        totals = Totals.from_dict(d.pop("totals"))

        payments = []
        _payments = d.pop("payments")
        for payments_item_data in _payments:

            def _parse_payments_item(data: object) -> CardPaymentLine | OtherTender:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    payments_item_type_0 = CardPaymentLine.from_dict(data)

                    return payments_item_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                payments_item_type_1 = OtherTender.from_dict(data)

                return payments_item_type_1

            payments_item = _parse_payments_item(payments_item_data)

            payments.append(payments_item)

        kind = ItemisedReceiptKind(d.pop("kind"))

        legal = Legal.from_dict(d.pop("legal"))

        def _parse_discounts(data: object) -> list[ReceiptDiscount] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                discounts_type_0 = []
                _discounts_type_0 = data
                for discounts_type_0_item_data in _discounts_type_0:
                    discounts_type_0_item = ReceiptDiscount.from_dict(discounts_type_0_item_data)

                    discounts_type_0.append(discounts_type_0_item)

                return discounts_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ReceiptDiscount] | None | Unset, data)

        discounts = _parse_discounts(d.pop("discounts", UNSET))

        def _parse_prices_include_vat(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        prices_include_vat = _parse_prices_include_vat(d.pop("prices_include_vat", UNSET))

        def _parse_store(data: object) -> None | Store | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                store_type_0 = Store.from_dict(data)

                return store_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Store | Unset, data)

        store = _parse_store(d.pop("store", UNSET))

        def _parse_fiscal(data: object) -> Fiscal | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                fiscal_type_0 = Fiscal.from_dict(data)

                return fiscal_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Fiscal | None | Unset, data)

        fiscal = _parse_fiscal(d.pop("fiscal", UNSET))

        def _parse_warnings(data: object) -> list[ReceiptWarning] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                warnings_type_0 = []
                _warnings_type_0 = data
                for warnings_type_0_item_data in _warnings_type_0:
                    warnings_type_0_item = ReceiptWarning.from_dict(warnings_type_0_item_data)

                    warnings_type_0.append(warnings_type_0_item)

                return warnings_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ReceiptWarning] | None | Unset, data)

        warnings = _parse_warnings(d.pop("warnings", UNSET))

        itemised_receipt = cls(
            id=id,
            merchant=merchant,
            merchant_receipt_id=merchant_receipt_id,
            issued_at=issued_at,
            currency=currency,
            lines=lines,
            totals=totals,
            payments=payments,
            kind=kind,
            legal=legal,
            discounts=discounts,
            prices_include_vat=prices_include_vat,
            store=store,
            fiscal=fiscal,
            warnings=warnings,
        )

        itemised_receipt.additional_properties = d
        return itemised_receipt

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
