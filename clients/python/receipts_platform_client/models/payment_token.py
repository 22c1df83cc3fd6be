from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.payment_token_wallet import PaymentTokenWallet
from ..types import UNSET, Unset

T = TypeVar("T", bound="PaymentToken")


@_attrs_define
class PaymentToken:
    """The device account number a wallet paid with, as the network gave it with the
    payment: in full (masked on arrival, as the card's) or masked, never both.

        Attributes:
            wallet (PaymentTokenWallet):
            pan (None | str | Unset):
            masked_pan (None | str | Unset):
    """

    wallet: PaymentTokenWallet
    pan: None | str | Unset = UNSET
    masked_pan: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        wallet = self.wallet.value

        pan: None | str | Unset
        if isinstance(self.pan, Unset):
            pan = UNSET
        else:
            pan = self.pan

        masked_pan: None | str | Unset
        if isinstance(self.masked_pan, Unset):
            masked_pan = UNSET
        else:
            masked_pan = self.masked_pan

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "wallet": wallet,
            }
        )
        if pan is not UNSET:
            field_dict["pan"] = pan
        if masked_pan is not UNSET:
            field_dict["masked_pan"] = masked_pan

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        wallet = PaymentTokenWallet(d.pop("wallet"))

        def _parse_pan(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        pan = _parse_pan(d.pop("pan", UNSET))

        def _parse_masked_pan(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        masked_pan = _parse_masked_pan(d.pop("masked_pan", UNSET))

        payment_token = cls(
            wallet=wallet,
            pan=pan,
            masked_pan=masked_pan,
        )

        return payment_token
