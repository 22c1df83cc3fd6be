from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.card_payment_line_currency import CardPaymentLineCurrency
from ..models.card_payment_line_wallet_type_0 import CardPaymentLineWalletType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.dcc import Dcc


T = TypeVar("T", bound="CardPaymentLine")


@_attrs_define
class CardPaymentLine:
    """The EMV data printed on the card slip: what a bank's payment is matched on (SPEC §12).

    A slip shows the card number (first 6 and last 4 digits, or the last 4 only), or no
    digits at all but the acquirer's reference: rrn and terminal_id (DE37, DE41) then
    identify the transaction. Paid with a wallet, the digits are the token's.

        Attributes:
            amount (int): minor units
            currency (CardPaymentLineCurrency): ISO 4217 alpha-3 code
            transaction_date (datetime.date):
            transaction_time (str):
            masked_pan (None | str | Unset):
            auth_code (None | str | Unset):
            terminal_id (None | str | Unset):
            rrn (None | str | Unset):
            scheme (None | str | Unset):
            wallet (CardPaymentLineWalletType0 | None | Unset):
            par (None | str | Unset):
            cashback (int | None | Unset):
            dcc (Dcc | None | Unset):
    """

    amount: int
    currency: CardPaymentLineCurrency
    transaction_date: datetime.date
    transaction_time: str
    masked_pan: None | str | Unset = UNSET
    auth_code: None | str | Unset = UNSET
    terminal_id: None | str | Unset = UNSET
    rrn: None | str | Unset = UNSET
    scheme: None | str | Unset = UNSET
    wallet: CardPaymentLineWalletType0 | None | Unset = UNSET
    par: None | str | Unset = UNSET
    cashback: int | None | Unset = UNSET
    dcc: Dcc | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.dcc import Dcc

        amount = self.amount

        currency = self.currency.value

        transaction_date = self.transaction_date.isoformat()

        transaction_time = self.transaction_time

        masked_pan: None | str | Unset
        if isinstance(self.masked_pan, Unset):
            masked_pan = UNSET
        else:
            masked_pan = self.masked_pan

        auth_code: None | str | Unset
        if isinstance(self.auth_code, Unset):
            auth_code = UNSET
        else:
            auth_code = self.auth_code

        terminal_id: None | str | Unset
        if isinstance(self.terminal_id, Unset):
            terminal_id = UNSET
        else:
            terminal_id = self.terminal_id

        rrn: None | str | Unset
        if isinstance(self.rrn, Unset):
            rrn = UNSET
        else:
            rrn = self.rrn

        scheme: None | str | Unset
        if isinstance(self.scheme, Unset):
            scheme = UNSET
        else:
            scheme = self.scheme

        wallet: None | str | Unset
        if isinstance(self.wallet, Unset):
            wallet = UNSET
        elif isinstance(self.wallet, CardPaymentLineWalletType0):
            wallet = self.wallet.value
        else:
            wallet = self.wallet

        par: None | str | Unset
        if isinstance(self.par, Unset):
            par = UNSET
        else:
            par = self.par

        cashback: int | None | Unset
        if isinstance(self.cashback, Unset):
            cashback = UNSET
        else:
            cashback = self.cashback

        dcc: dict[str, Any] | None | Unset
        if isinstance(self.dcc, Unset):
            dcc = UNSET
        elif isinstance(self.dcc, Dcc):
            dcc = self.dcc.to_dict()
        else:
            dcc = self.dcc

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "amount": amount,
                "currency": currency,
                "transaction_date": transaction_date,
                "transaction_time": transaction_time,
            }
        )
        if masked_pan is not UNSET:
            field_dict["masked_pan"] = masked_pan
        if auth_code is not UNSET:
            field_dict["auth_code"] = auth_code
        if terminal_id is not UNSET:
            field_dict["terminal_id"] = terminal_id
        if rrn is not UNSET:
            field_dict["rrn"] = rrn
        if scheme is not UNSET:
            field_dict["scheme"] = scheme
        if wallet is not UNSET:
            field_dict["wallet"] = wallet
        if par is not UNSET:
            field_dict["par"] = par
        if cashback is not UNSET:
            field_dict["cashback"] = cashback
        if dcc is not UNSET:
            field_dict["dcc"] = dcc

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.dcc import Dcc

        d = dict(src_dict)
        amount = d.pop("amount")

        currency = CardPaymentLineCurrency(d.pop("currency"))

        transaction_date = datetime.date.fromisoformat(d.pop("transaction_date"))

        transaction_time = d.pop("transaction_time")

        def _parse_masked_pan(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        masked_pan = _parse_masked_pan(d.pop("masked_pan", UNSET))

        def _parse_auth_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        auth_code = _parse_auth_code(d.pop("auth_code", UNSET))

        def _parse_terminal_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        terminal_id = _parse_terminal_id(d.pop("terminal_id", UNSET))

        def _parse_rrn(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        rrn = _parse_rrn(d.pop("rrn", UNSET))

        def _parse_scheme(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        scheme = _parse_scheme(d.pop("scheme", UNSET))

        def _parse_wallet(data: object) -> CardPaymentLineWalletType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                wallet_type_0 = CardPaymentLineWalletType0(data)

                return wallet_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CardPaymentLineWalletType0 | None | Unset, data)

        wallet = _parse_wallet(d.pop("wallet", UNSET))

        def _parse_par(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        par = _parse_par(d.pop("par", UNSET))

        def _parse_cashback(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        cashback = _parse_cashback(d.pop("cashback", UNSET))

        def _parse_dcc(data: object) -> Dcc | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                dcc_type_0 = Dcc.from_dict(data)

                return dcc_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Dcc | None | Unset, data)

        dcc = _parse_dcc(d.pop("dcc", UNSET))

        card_payment_line = cls(
            amount=amount,
            currency=currency,
            transaction_date=transaction_date,
            transaction_time=transaction_time,
            masked_pan=masked_pan,
            auth_code=auth_code,
            terminal_id=terminal_id,
            rrn=rrn,
            scheme=scheme,
            wallet=wallet,
            par=par,
            cashback=cashback,
            dcc=dcc,
        )

        return card_payment_line
