from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.statement_token_wallet import StatementTokenWallet

T = TypeVar("T", bound="StatementToken")


@_attrs_define
class StatementToken:
    """
    Attributes:
        masked_pan (str):
        wallet (StatementTokenWallet):
    """

    masked_pan: str
    wallet: StatementTokenWallet
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        masked_pan = self.masked_pan

        wallet = self.wallet.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "masked_pan": masked_pan,
                "wallet": wallet,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        masked_pan = d.pop("masked_pan")

        wallet = StatementTokenWallet(d.pop("wallet"))

        statement_token = cls(
            masked_pan=masked_pan,
            wallet=wallet,
        )

        statement_token.additional_properties = d
        return statement_token

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
