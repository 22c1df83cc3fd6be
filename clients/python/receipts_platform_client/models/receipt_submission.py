from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.receipt_submission_currency import ReceiptSubmissionCurrency
from ..models.receipt_submission_kind_type_0 import ReceiptSubmissionKindType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.card_payment_line import CardPaymentLine
    from ..models.fiscal import Fiscal
    from ..models.other_tender import OtherTender
    from ..models.receipt_discount import ReceiptDiscount
    from ..models.receipt_line import ReceiptLine
    from ..models.store import Store
    from ..models.totals import Totals


T = TypeVar("T", bound="ReceiptSubmission")


@_attrs_define
class ReceiptSubmission:
    """
    Attributes:
        merchant_receipt_id (str):
        issued_at (datetime.datetime):
        currency (ReceiptSubmissionCurrency): ISO 4217 alpha-3 code
        lines (list[ReceiptLine]):
        totals (Totals):
        payments (list[CardPaymentLine | OtherTender]):
        store (None | Store | Unset):
        prices_include_vat (bool | Unset):  Default: False.
        discounts (list[ReceiptDiscount] | Unset):
        kind (None | ReceiptSubmissionKindType0 | Unset):
        refund_of (None | Unset | UUID):
        fiscal (Fiscal | None | Unset):
    """

    merchant_receipt_id: str
    issued_at: datetime.datetime
    currency: ReceiptSubmissionCurrency
    lines: list[ReceiptLine]
    totals: Totals
    payments: list[CardPaymentLine | OtherTender]
    store: None | Store | Unset = UNSET
    prices_include_vat: bool | Unset = False
    discounts: list[ReceiptDiscount] | Unset = UNSET
    kind: None | ReceiptSubmissionKindType0 | Unset = UNSET
    refund_of: None | Unset | UUID = UNSET
    fiscal: Fiscal | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.card_payment_line import CardPaymentLine
        from ..models.fiscal import Fiscal
        from ..models.store import Store

        merchant_receipt_id = self.merchant_receipt_id

        issued_at = self.issued_at.isoformat()

        currency = self.currency.value

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

        store: dict[str, Any] | None | Unset
        if isinstance(self.store, Unset):
            store = UNSET
        elif isinstance(self.store, Store):
            store = self.store.to_dict()
        else:
            store = self.store

        prices_include_vat = self.prices_include_vat

        discounts: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.discounts, Unset):
            discounts = []
            for discounts_item_data in self.discounts:
                discounts_item = discounts_item_data.to_dict()
                discounts.append(discounts_item)

        kind: None | str | Unset
        if isinstance(self.kind, Unset):
            kind = UNSET
        elif isinstance(self.kind, ReceiptSubmissionKindType0):
            kind = self.kind.value
        else:
            kind = self.kind

        refund_of: None | str | Unset
        if isinstance(self.refund_of, Unset):
            refund_of = UNSET
        elif isinstance(self.refund_of, UUID):
            refund_of = str(self.refund_of)
        else:
            refund_of = self.refund_of

        fiscal: dict[str, Any] | None | Unset
        if isinstance(self.fiscal, Unset):
            fiscal = UNSET
        elif isinstance(self.fiscal, Fiscal):
            fiscal = self.fiscal.to_dict()
        else:
            fiscal = self.fiscal

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "merchant_receipt_id": merchant_receipt_id,
                "issued_at": issued_at,
                "currency": currency,
                "lines": lines,
                "totals": totals,
                "payments": payments,
            }
        )
        if store is not UNSET:
            field_dict["store"] = store
        if prices_include_vat is not UNSET:
            field_dict["prices_include_vat"] = prices_include_vat
        if discounts is not UNSET:
            field_dict["discounts"] = discounts
        if kind is not UNSET:
            field_dict["kind"] = kind
        if refund_of is not UNSET:
            field_dict["refund_of"] = refund_of
        if fiscal is not UNSET:
            field_dict["fiscal"] = fiscal

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.card_payment_line import CardPaymentLine
        from ..models.fiscal import Fiscal
        from ..models.other_tender import OtherTender
        from ..models.receipt_discount import ReceiptDiscount
        from ..models.receipt_line import ReceiptLine
        from ..models.store import Store
        from ..models.totals import Totals

        d = dict(src_dict)
        merchant_receipt_id = d.pop("merchant_receipt_id")

        issued_at = datetime.datetime.fromisoformat(d.pop("issued_at"))

        currency = ReceiptSubmissionCurrency(d.pop("currency"))

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

        prices_include_vat = d.pop("prices_include_vat", UNSET)

        _discounts = d.pop("discounts", UNSET)
        discounts: list[ReceiptDiscount] | Unset = UNSET
        if _discounts is not UNSET:
            discounts = []
            for discounts_item_data in _discounts:
                discounts_item = ReceiptDiscount.from_dict(discounts_item_data)

                discounts.append(discounts_item)

        def _parse_kind(data: object) -> None | ReceiptSubmissionKindType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                kind_type_0 = ReceiptSubmissionKindType0(data)

                return kind_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReceiptSubmissionKindType0 | Unset, data)

        kind = _parse_kind(d.pop("kind", UNSET))

        def _parse_refund_of(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                refund_of_type_0 = UUID(data)

                return refund_of_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        refund_of = _parse_refund_of(d.pop("refund_of", UNSET))

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

        receipt_submission = cls(
            merchant_receipt_id=merchant_receipt_id,
            issued_at=issued_at,
            currency=currency,
            lines=lines,
            totals=totals,
            payments=payments,
            store=store,
            prices_include_vat=prices_include_vat,
            discounts=discounts,
            kind=kind,
            refund_of=refund_of,
            fiscal=fiscal,
        )

        return receipt_submission
