"""Merchants and banks: the parties that hold API keys and receive callbacks."""

from __future__ import annotations

from typing import Literal

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError
from typing_extensions import Annotated

from shared.domain.base import RequestModel, Text

PartyKind = Literal["merchant", "bank"]
MERCHANT: PartyKind = "merchant"
BANK: PartyKind = "bank"


def _http_url(value: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PydanticCustomError("invalid_callback_url", "callback_url must be an absolute http(s) URL")
    return value


CallbackUrl = Annotated[
    str,
    Field(min_length=1, max_length=2048, examples=["https://pos.example.com/receipts/callbacks"]),
    AfterValidator(_http_url),
]


class PartyRegistration(RequestModel):
    name: Text(200)
    callback_url: CallbackUrl


class EndpointChange(RequestModel):
    """PATCH /v1/admin/{merchants|banks}/{id}: where the party's callbacks go from now on."""

    callback_url: CallbackUrl
