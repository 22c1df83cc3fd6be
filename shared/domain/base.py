"""The base of every request model: strict JSON types, no unknown fields."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError


class RequestModel(BaseModel):
    # strict: no "12" for 12 and no 12.0 for money; forbid: a misspelt field is an error,
    # not silently dropped data.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    def fingerprint(self, key: bytes) -> str:
        """A keyed hash of the normalised request: equal for the same body sent twice.

        Keyed, because a request may hold a PAN and a plain hash of one is guessable.
        """
        return hmac.new(key, self.model_dump_json().encode(), hashlib.sha256).hexdigest()


def Text(max_length: int):  # noqa: N802 - reads as a type in field declarations
    return Annotated[str, StringConstraints(min_length=1, max_length=max_length),
                     Field(json_schema_extra={"pattern": _NO_NUL}), AfterValidator(_storable)]


# PostgreSQL's text holds neither a NUL nor a lone surrogate (which is not UTF-8). The
# document says the first; the second is not a Unicode character to begin with.
_NO_NUL = r"^[^\u0000]*$"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _storable(value: str) -> str:
    if _UNSTORABLE.search(value):
        raise PydanticCustomError("unstorable_text", "text without NUL characters or lone surrogates")
    return value
