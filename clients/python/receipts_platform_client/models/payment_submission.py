from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.payment_submission_billing_currency_type_0 import (
    PaymentSubmissionBillingCurrencyType0,
)
from ..models.payment_submission_currency import PaymentSubmissionCurrency
from ..models.payment_submission_kind import PaymentSubmissionKind
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.payment_token import PaymentToken


T = TypeVar("T", bound="PaymentSubmission")


@_attrs_define
class PaymentSubmission:
    """
    Attributes:
        bank_payment_id (str):
        account_ref (str):
        pan (str):
        auth_code (str):
        amount (int): minor units
        currency (PaymentSubmissionCurrency): ISO 4217 alpha-3 code
        transaction_date (datetime.date):
        transaction_time (str):
        merchant_name (str):
        terminal_id (str):
        rrn (str):
        kind (PaymentSubmissionKind):
        token (None | PaymentToken | Unset):
        par (None | str | Unset):
        cashback_amount (int | None | Unset):
        billing_amount (int | None | Unset):
        billing_currency (None | PaymentSubmissionBillingCurrencyType0 | Unset):
    """

    bank_payment_id: str
    account_ref: str
    pan: str
    auth_code: str
    amount: int
    currency: PaymentSubmissionCurrency
    transaction_date: datetime.date
    transaction_time: str
    merchant_name: str
    terminal_id: str
    rrn: str
    kind: PaymentSubmissionKind
    token: None | PaymentToken | Unset = UNSET
    par: None | str | Unset = UNSET
    cashback_amount: int | None | Unset = UNSET
    billing_amount: int | None | Unset = UNSET
    billing_currency: None | PaymentSubmissionBillingCurrencyType0 | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.payment_token import PaymentToken

        bank_payment_id = self.bank_payment_id

        account_ref = self.account_ref

        pan = self.pan

        auth_code = self.auth_code

        amount = self.amount

        currency = self.currency.value

        transaction_date = self.transaction_date.isoformat()

        transaction_time = self.transaction_time

        merchant_name = self.merchant_name

        terminal_id = self.terminal_id

        rrn = self.rrn

        kind = self.kind.value

        token: dict[str, Any] | None | Unset
        if isinstance(self.token, Unset):
            token = UNSET
        elif isinstance(self.token, PaymentToken):
            token = self.token.to_dict()
        else:
            token = self.token

        par: None | str | Unset
        if isinstance(self.par, Unset):
            par = UNSET
        else:
            par = self.par

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
        elif isinstance(self.billing_currency, PaymentSubmissionBillingCurrencyType0):
            billing_currency = self.billing_currency.value
        else:
            billing_currency = self.billing_currency

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "bank_payment_id": bank_payment_id,
                "account_ref": account_ref,
                "pan": pan,
                "auth_code": auth_code,
                "amount": amount,
                "currency": currency,
                "transaction_date": transaction_date,
                "transaction_time": transaction_time,
                "merchant_name": merchant_name,
                "terminal_id": terminal_id,
                "rrn": rrn,
                "kind": kind,
            }
        )
        if token is not UNSET:
            field_dict["token"] = token
        if par is not UNSET:
            field_dict["par"] = par
        if cashback_amount is not UNSET:
            field_dict["cashback_amount"] = cashback_amount
        if billing_amount is not UNSET:
            field_dict["billing_amount"] = billing_amount
        if billing_currency is not UNSET:
            field_dict["billing_currency"] = billing_currency

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.payment_token import PaymentToken

        d = dict(src_dict)
        bank_payment_id = d.pop("bank_payment_id")

        account_ref = d.pop("account_ref")

        pan = d.pop("pan")

        auth_code = d.pop("auth_code")

        amount = d.pop("amount")

        currency = PaymentSubmissionCurrency(d.pop("currency"))

        transaction_date = datetime.date.fromisoformat(d.pop("transaction_date"))

        transaction_time = d.pop("transaction_time")

        merchant_name = d.pop("merchant_name")

        terminal_id = d.pop("terminal_id")

        rrn = d.pop("rrn")

        kind = PaymentSubmissionKind(d.pop("kind"))

        def _parse_token(data: object) -> None | PaymentToken | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                token_type_0 = PaymentToken.from_dict(data)

                return token_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PaymentToken | Unset, data)

        token = _parse_token(d.pop("token", UNSET))

        def _parse_par(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        par = _parse_par(d.pop("par", UNSET))

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

        def _parse_billing_currency(data: object) -> None | PaymentSubmissionBillingCurrencyType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                billing_currency_type_0 = PaymentSubmissionBillingCurrencyType0(data)

                return billing_currency_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PaymentSubmissionBillingCurrencyType0 | Unset, data)

        billing_currency = _parse_billing_currency(d.pop("billing_currency", UNSET))

        payment_submission = cls(
            bank_payment_id=bank_payment_id,
            account_ref=account_ref,
            pan=pan,
            auth_code=auth_code,
            amount=amount,
            currency=currency,
            transaction_date=transaction_date,
            transaction_time=transaction_time,
            merchant_name=merchant_name,
            terminal_id=terminal_id,
            rrn=rrn,
            kind=kind,
            token=token,
            par=par,
            cashback_amount=cashback_amount,
            billing_amount=billing_amount,
            billing_currency=billing_currency,
        )

        return payment_submission
