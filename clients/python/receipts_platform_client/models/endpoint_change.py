from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="EndpointChange")


@_attrs_define
class EndpointChange:
    """PATCH /v1/admin/banks/{id}: where the bank's callbacks go from now on (SPEC §10), and
    the subject of the client certificate its calls must come with (SPEC §15: null unbinds
    it); what is left out stays as it was.

        Attributes:
            callback_url (None | str | Unset):
            client_cert_subject (None | str | Unset): the certificate's subject as RFC 2253 writes it, e.g.
                CN=core,O=Example Bank,C=DE
    """

    callback_url: None | str | Unset = UNSET
    client_cert_subject: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        callback_url: None | str | Unset
        if isinstance(self.callback_url, Unset):
            callback_url = UNSET
        else:
            callback_url = self.callback_url

        client_cert_subject: None | str | Unset
        if isinstance(self.client_cert_subject, Unset):
            client_cert_subject = UNSET
        else:
            client_cert_subject = self.client_cert_subject

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if callback_url is not UNSET:
            field_dict["callback_url"] = callback_url
        if client_cert_subject is not UNSET:
            field_dict["client_cert_subject"] = client_cert_subject

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_callback_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        callback_url = _parse_callback_url(d.pop("callback_url", UNSET))

        def _parse_client_cert_subject(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        client_cert_subject = _parse_client_cert_subject(d.pop("client_cert_subject", UNSET))

        endpoint_change = cls(
            callback_url=callback_url,
            client_cert_subject=client_cert_subject,
        )

        return endpoint_change
