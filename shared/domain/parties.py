"""Merchants and banks: the parties that hold API keys and receive callbacks."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Literal

from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError
from typing_extensions import Annotated

from shared.domain.base import RequestModel, Text

PartyKind = Literal["merchant", "bank"]
MERCHANT: PartyKind = "merchant"
BANK: PartyKind = "bank"


@dataclass(frozen=True)
class Party:
    """A merchant or bank: who a caller is, once its API key is known."""

    kind: PartyKind
    id: uuid.UUID


# An absolute http(s) URL: a host name or IPv4 address, an optional port, a path and
# query of printable ASCII (no space, no fragment). The document says this pattern; the validator checks exactly it.
_HTTP_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?][!-\"$-~]*)?$")


def _http_url(value: str) -> str:
    if not _HTTP_URL.fullmatch(value):
        raise PydanticCustomError("invalid_callback_url", "callback_url must be an absolute http(s) URL")
    return value


CallbackUrl = Annotated[
    str,
    Field(min_length=1, max_length=2048, examples=["https://pos.example.com/receipts/callbacks"],
          json_schema_extra={"pattern": _HTTP_URL.pattern}),
    AfterValidator(_http_url),
]


class PartyRegistration(RequestModel):
    name: Text(200)
    callback_url: CallbackUrl


class EndpointChange(RequestModel):
    """PATCH /v1/admin/{merchants|banks}/{id}: where the party's callbacks go from now on."""

    callback_url: CallbackUrl


class MerchantRef(BaseModel):
    id: str
    name: str | None
