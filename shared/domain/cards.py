"""Card data as printed on slips and sent by issuers (ISO 8583 field formats)."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from shared.domain.base import in_form

_MASKED_PAN = re.compile(r"^[0-9]{6}[*Xx]+[0-9]{4}$")
# A card number as a slip prints it: the first 6 and last 4 digits, or the last 4 only,
# the rest masked by * or X, in groups as the slip spaces them ("**** **** **** 0979").
_PRINTED_PAN = re.compile(r"^(?:[0-9] ?){6}(?:[*Xx] ?){2,9}(?:[0-9] ?){3}[0-9]$|^(?:[*Xx] ?){4,15}(?:[0-9] ?){3}[0-9]$")
# A local time of day, as a slip prints it and ISO 8583's DE12 carries it: no offset.
_LOCAL_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?$")


def mask_pan(pan: str) -> str:
    """First 6 and last 4 digits visible: the most PCI DSS allows to be shown."""
    return pan[:6] + "*" * (len(pan) - 10) + pan[-4:]


def _masked_pan(value: str) -> str:
    if value.isdigit():
        raise PydanticCustomError(
            "full_pan_not_allowed",
            "a full card number is not accepted: show only the first 6 and last 4 digits",
        )
    if not _MASKED_PAN.fullmatch(value):
        raise PydanticCustomError(
            "invalid_masked_pan", "expected the first 6 and last 4 digits with the rest masked by *"
        )
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def _printed_pan(value: str) -> str:
    digits = value.replace(" ", "")
    if digits.isdigit():
        raise PydanticCustomError(
            "full_pan_not_allowed",
            "a full card number is not accepted: show only the first 6 and last 4 digits, or the last 4",
        )
    if not _PRINTED_PAN.fullmatch(value):
        raise PydanticCustomError(
            "invalid_masked_pan",
            "expected the card number as the slip prints it: the first 6 and last 4 digits, or the last 4,"
            " the rest masked by * or X",
        )
    return re.sub("[Xx]", "*", digits)


def _local_time(value: object) -> object:
    """Exactly what the document says: hh:mm:ss[.ffffff], nothing pydantic would also take."""
    if isinstance(value, str):
        if _LOCAL_TIME.fullmatch(value):
            return time.fromisoformat(value)
        if _LOCAL_TIME.match(value[:8]) and value[8:9] in ("Z", "z", "+", "-"):
            raise PydanticCustomError("time_with_offset", "a local time hh:mm:ss, without offset")
        raise PydanticCustomError("invalid_local_time", "a local time hh:mm:ss (24-hour)")
    if isinstance(value, time) and value.tzinfo is not None:
        raise PydanticCustomError("time_with_offset", "a local time hh:mm:ss, without offset")
    return value


MaskedPan = Annotated[
    str,
    Field(
        min_length=12, max_length=19, examples=["412345******1234"], json_schema_extra={"pattern": _MASKED_PAN.pattern}
    ),
    AfterValidator(_masked_pan),
]
# On a receipt: as the slip prints it, stored as ************1234 or 412345******1234.
PrintedPan = Annotated[
    str,
    Field(
        min_length=8,
        max_length=37,
        examples=["412345******1234", "************1234", "**** **** **** 1234"],
        json_schema_extra={"pattern": _PRINTED_PAN.pattern},
    ),
    AfterValidator(_printed_pan),
]
# DE2: the full PAN, accepted from issuers only and masked on arrival.
Pan = Annotated[str, Field(pattern=r"^[0-9]{12,19}$", examples=["4123450000001234"])]
# DE38: six alphanumerics.
AuthCode = Annotated[str, Field(pattern=r"^[0-9A-Za-z]{6}$", examples=["A1B2C3"]), AfterValidator(str.upper)]
# DE37: twelve alphanumerics.
Rrn = Annotated[str, Field(pattern=r"^[0-9A-Za-z]{12}$", examples=["633012345678"])]
# DE41: the terminal id (8 in ISO 8583; some acquirers print more).
TerminalId = Annotated[str, Field(pattern=r"^[0-9A-Za-z_-]{1,16}$", examples=["T0001"])]
LocalTime = Annotated[
    time,
    BeforeValidator(_local_time),
    WithJsonSchema({"type": "string", "pattern": _LOCAL_TIME.pattern, "examples": ["13:45:02"]}),
]

# The wallet that paid with a device account number (a network token), as the slip or the
# network names it.
Wallet = Literal["apple_pay", "google_pay", "samsung_pay", "other"]
PAR_FORM = re.compile(r"^[0-9A-Z]{29}$")
# The Payment Account Reference every token of an account shares (ISO 8583 DE56, EMV 9F24).
Par = Annotated[
    str,
    Field(examples=["V0010013018294182416718291746"], json_schema_extra={"pattern": PAR_FORM.pattern}),
    in_form(PAR_FORM, "invalid_par", "a PAR is 29 upper-case letters and digits"),
]


def cashback_inside(cashback: int | None, amount: int | None) -> int | None:
    """The cash paid out at the till is charged to the card with the purchase (DE4
    includes DE54): it is part of the amount, so less than it."""
    if cashback is not None and amount is not None and cashback >= amount:
        raise PydanticCustomError("cashback_not_below_amount", "cashback is part of amount, so less than it")
    return cashback
