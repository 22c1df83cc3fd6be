"""Card data as printed on slips and sent by issuers (ISO 8583 field formats)."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

_MASKED_PAN = re.compile(r"^[0-9]{6}[*Xx]+[0-9]{4}$")


def mask_pan(pan: str) -> str:
    """First 6 and last 4 digits visible: the most PCI DSS allows to be shown."""
    return pan[:6] + "*" * (len(pan) - 10) + pan[-4:]


def _masked_pan(value: str) -> str:
    if value.isdigit():
        raise PydanticCustomError(
            "full_pan_not_allowed",
            "a full card number is not accepted: show only the first 6 and last 4 digits",
        )
    if not _MASKED_PAN.match(value):
        raise PydanticCustomError(
            "invalid_masked_pan", "expected the first 6 and last 4 digits with the rest masked by *"
        )
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def _naive_time(value: time) -> time:
    if value.tzinfo is not None:
        raise PydanticCustomError("time_with_offset", "a local time hh:mm:ss, without offset")
    return value


MaskedPan = Annotated[
    str,
    Field(min_length=12, max_length=19, examples=["412345******1234"]),
    AfterValidator(_masked_pan),
]
# DE2: the full PAN, accepted from issuers only and masked on arrival.
Pan = Annotated[str, Field(pattern=r"^[0-9]{12,19}$", examples=["4123450000001234"])]
# DE38: six alphanumerics.
AuthCode = Annotated[str, Field(pattern=r"^[0-9A-Za-z]{6}$", examples=["A1B2C3"]), AfterValidator(str.upper)]
# DE37: twelve alphanumerics.
Rrn = Annotated[str, Field(pattern=r"^[0-9A-Za-z]{12}$", examples=["633012345678"])]
# DE41: the terminal id (8 in ISO 8583; some acquirers print more).
TerminalId = Annotated[str, Field(pattern=r"^[0-9A-Za-z_-]{1,16}$", examples=["T0001"])]
LocalTime = Annotated[time, AfterValidator(_naive_time)]
