from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.statement_payment_card_key_type_0 import StatementPaymentCardKeyType0
from ..models.statement_payment_kind import StatementPaymentKind
from ..models.statement_payment_status import StatementPaymentStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.receipt_view import ReceiptView
    from ..models.statement_token import StatementToken


T = TypeVar("T", bound="StatementPayment")


@_attrs_define
class StatementPayment:
    """A payment on a bank's statement, with the receipt it was matched to.

    Attributes:
        id (str):
        bank_payment_id (str):
        account_ref (str):
        masked_pan (str):
        auth_code (str):
        amount (int):
        currency (str):
        transaction_date (str):
        transaction_time (str):
        merchant_name (str):
        terminal_id (str):
        rrn (str):
        kind (StatementPaymentKind):
        status (StatementPaymentStatus):
        receipt (None | ReceiptView):
        match_rule (None | str | Unset):
        card_key (None | StatementPaymentCardKeyType0 | Unset):
        token (None | StatementToken | Unset):
        cashback_amount (int | None | Unset):
        billing_amount (int | None | Unset):
        billing_currency (None | str | Unset):
    """

    id: str
    bank_payment_id: str
    account_ref: str
    masked_pan: str
    auth_code: str
    amount: int
    currency: str
    transaction_date: str
    transaction_time: str
    merchant_name: str
    terminal_id: str
    rrn: str
    kind: StatementPaymentKind
    status: StatementPaymentStatus
    receipt: None | ReceiptView
    match_rule: None | str | Unset = UNSET
    card_key: None | StatementPaymentCardKeyType0 | Unset = UNSET
    token: None | StatementToken | Unset = UNSET
    cashback_amount: int | None | Unset = UNSET
    billing_amount: int | None | Unset = UNSET
    billing_currency: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.receipt_view import ReceiptView
        from ..models.statement_token import StatementToken

        id = self.id

        bank_payment_id = self.bank_payment_id

        account_ref = self.account_ref

        masked_pan = self.masked_pan

        auth_code = self.auth_code

        amount = self.amount

        currency = self.currency

        transaction_date = self.transaction_date

        transaction_time = self.transaction_time

        merchant_name = self.merchant_name

        terminal_id = self.terminal_id

        rrn = self.rrn

        kind = self.kind.value

        status = self.status.value

        receipt: dict[str, Any] | None
        if isinstance(self.receipt, ReceiptView):
            receipt = self.receipt.to_dict()
        else:
            receipt = self.receipt

        match_rule: None | str | Unset
        if isinstance(self.match_rule, Unset):
            match_rule = UNSET
        else:
            match_rule = self.match_rule

        card_key: None | str | Unset
        if isinstance(self.card_key, Unset):
            card_key = UNSET
        elif isinstance(self.card_key, StatementPaymentCardKeyType0):
            card_key = self.card_key.value
        else:
            card_key = self.card_key

        token: dict[str, Any] | None | Unset
        if isinstance(self.token, Unset):
            token = UNSET
        elif isinstance(self.token, StatementToken):
            token = self.token.to_dict()
        else:
            token = self.token

        cashback_amount: int | None | Unset
        if isinstance(self.cashback_amount, Unset):
            cashback_amount = UNSET
        else:
            cashback_amount = self.cashback_amount

        billing_amount: int | None | Unset
        if isinstance(self.billing_amount, Unset):
            billing_amount = UNSET
        else:
            billing_amount = self.billing_amount

        billing_currency: None | str | Unset
        if isinstance(self.billing_currency, Unset):
            billing_currency = UNSET
        else:
            billing_currency = self.billing_currency

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "bank_payment_id": bank_payment_id,
                "account_ref": account_ref,
                "masked_pan": masked_pan,
                "auth_code": auth_code,
                "amount": amount,
                "currency": currency,
                "transaction_date": transaction_date,
                "transaction_time": transaction_time,
                "merchant_name": merchant_name,
                "terminal_id": terminal_id,
                "rrn": rrn,
                "kind": kind,
                "status": status,
                "receipt": receipt,
            }
        )
        if match_rule is not UNSET:
            field_dict["match_rule"] = match_rule
        if card_key is not UNSET:
            field_dict["card_key"] = card_key
        if token is not UNSET:
            field_dict["token"] = token
        if cashback_amount is not UNSET:
            field_dict["cashback_amount"] = cashback_amount
        if billing_amount is not UNSET:
            field_dict["billing_amount"] = billing_amount
        if billing_currency is not UNSET:
            field_dict["billing_currency"] = billing_currency

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.receipt_view import ReceiptView
        from ..models.statement_token import StatementToken

        d = dict(src_dict)
        id = d.pop("id")

        bank_payment_id = d.pop("bank_payment_id")

        account_ref = d.pop("account_ref")

        masked_pan = d.pop("masked_pan")

        auth_code = d.pop("auth_code")

        amount = d.pop("amount")

        currency = d.pop("currency")

        transaction_date = d.pop("transaction_date")

        transaction_time = d.pop("transaction_time")

        merchant_name = d.pop("merchant_name")

        terminal_id = d.pop("terminal_id")

        rrn = d.pop("rrn")

        kind = StatementPaymentKind(d.pop("kind"))

        status = StatementPaymentStatus(d.pop("status"))

        def _parse_receipt(data: object) -> None | ReceiptView:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                receipt_type_0 = ReceiptView.from_dict(data)

                return receipt_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReceiptView, data)

        receipt = _parse_receipt(d.pop("receipt"))

        def _parse_match_rule(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        match_rule = _parse_match_rule(d.pop("match_rule", UNSET))

        def _parse_card_key(data: object) -> None | StatementPaymentCardKeyType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                card_key_type_0 = StatementPaymentCardKeyType0(data)

                return card_key_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StatementPaymentCardKeyType0 | Unset, data)

        card_key = _parse_card_key(d.pop("card_key", UNSET))

        def _parse_token(data: object) -> None | StatementToken | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                token_type_0 = StatementToken.from_dict(data)

                return token_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StatementToken | Unset, data)

        token = _parse_token(d.pop("token", UNSET))

        def _parse_cashback_amount(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        cashback_amount = _parse_cashback_amount(d.pop("cashback_amount", UNSET))

        def _parse_billing_amount(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        billing_amount = _parse_billing_amount(d.pop("billing_amount", UNSET))

        def _parse_billing_currency(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        billing_currency = _parse_billing_currency(d.pop("billing_currency", UNSET))

        statement_payment = cls(
            id=id,
            bank_payment_id=bank_payment_id,
            account_ref=account_ref,
            masked_pan=masked_pan,
            auth_code=auth_code,
            amount=amount,
            currency=currency,
            transaction_date=transaction_date,
            transaction_time=transaction_time,
            merchant_name=merchant_name,
            terminal_id=terminal_id,
            rrn=rrn,
            kind=kind,
            status=status,
            receipt=receipt,
            match_rule=match_rule,
            card_key=card_key,
            token=token,
            cashback_amount=cashback_amount,
            billing_amount=billing_amount,
            billing_currency=billing_currency,
        )

        statement_payment.additional_properties = d
        return statement_payment

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
