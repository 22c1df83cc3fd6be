from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.dcc_currency import DccCurrency
from ..types import UNSET, Unset

T = TypeVar("T", bound="Dcc")


@_attrs_define
class Dcc:
    """Dynamic currency conversion: the card was charged amount (minor units) in currency,
    the cardholder's own, while the line's amount stays in the receipt's currency.

        Attributes:
            currency (DccCurrency): ISO 4217 alpha-3 code
            amount (int): minor units
            exchange_rate (None | str | Unset):
            markup_percent (None | str | Unset):
    """

    currency: DccCurrency
    amount: int
    exchange_rate: None | str | Unset = UNSET
    markup_percent: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        currency = self.currency.value

        amount = self.amount

        exchange_rate: None | str | Unset
        if isinstance(self.exchange_rate, Unset):
            exchange_rate = UNSET
        else:
            exchange_rate = self.exchange_rate

        markup_percent: None | str | Unset
        if isinstance(self.markup_percent, Unset):
            markup_percent = UNSET
        else:
            markup_percent = self.markup_percent

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "currency": currency,
                "amount": amount,
            }
        )
        if exchange_rate is not UNSET:
            field_dict["exchange_rate"] = exchange_rate
        if markup_percent is not UNSET:
            field_dict["markup_percent"] = markup_percent

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        currency = DccCurrency(d.pop("currency"))

        amount = d.pop("amount")

        def _parse_exchange_rate(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        exchange_rate = _parse_exchange_rate(d.pop("exchange_rate", UNSET))

        def _parse_markup_percent(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        markup_percent = _parse_markup_percent(d.pop("markup_percent", UNSET))

        dcc = cls(
            currency=currency,
            amount=amount,
            exchange_rate=exchange_rate,
            markup_percent=markup_percent,
        )

        return dcc
