"""ISO 8583 (1987) messages as the simulated processor and issuer exchange them.

ASCII encoding: the 4-digit MTI, the primary bitmap as 16 hex digits, then each present
data element in order, fixed-length or with a 2-digit length prefix (LLVAR). Only the
elements the simulation uses are defined. Dates and times follow the standard, which the
seed got wrong: DE13 (local date) is MMDD and DE12 (local time) hhmmss; DE7 (transmission
date and time, UTC) is MMDDhhmmss.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time


@dataclass(frozen=True)
class Element:
    name: str
    length: int  # the fixed length, or the maximum of a variable one
    variable: bool = False
    numeric: bool = False

    @property
    def prefix(self) -> int:
        """Digits of a variable element's length: 2 up to 99 characters (LLVAR), else 3 (LLLVAR)."""
        return 2 if self.length <= 99 else 3


ELEMENTS = {
    2: Element("primary account number", 19, variable=True, numeric=True),
    3: Element("processing code", 6, numeric=True),
    4: Element("amount, transaction", 12, numeric=True),
    6: Element("amount, cardholder billing", 12, numeric=True),
    7: Element("transmission date and time", 10, numeric=True),
    11: Element("system trace audit number", 6, numeric=True),
    12: Element("time, local transaction", 6, numeric=True),
    13: Element("date, local transaction", 4, numeric=True),
    37: Element("retrieval reference number", 12),
    38: Element("authorization identification response", 6),
    39: Element("response code", 2),
    41: Element("card acceptor terminal identification", 8),
    42: Element("card acceptor identification code", 15),
    43: Element("card acceptor name/location", 40),
    49: Element("currency code, transaction", 3, numeric=True),
    51: Element("currency code, cardholder billing", 3, numeric=True),
    54: Element("additional amounts", 120, variable=True),
}

AUTHORIZATION_REQUEST = "0200"
AUTHORIZATION_RESPONSE = "0210"
REVERSAL_REQUEST = "0400"
REVERSAL_RESPONSE = "0410"
APPROVED = "00"
INSUFFICIENT_FUNDS = "51"
NO_SUCH_TRANSACTION = "25"  # "unable to locate record": a reversal of nothing the issuer knows
# DE3: the transaction type in its first two digits.
PURCHASE = "000000"
PURCHASE_WITH_CASHBACK = "090000"
CASHBACK = "40"  # DE54's amount type of the cash paid out

# ISO 4217 numeric codes of the currencies the simulation uses.
CURRENCY_NUMBERS = {"EUR": "978", "USD": "840", "GBP": "826", "CHF": "756", "SEK": "752", "JPY": "392"}
CURRENCY_CODES = {number: code for code, number in CURRENCY_NUMBERS.items()}


class MessageError(ValueError):
    """A message that does not follow the format."""


def local_date(value: date) -> str:
    """DE13: MMDD."""
    return value.strftime("%m%d")


def local_time(value: time) -> str:
    """DE12: hhmmss."""
    return value.strftime("%H%M%S")


def transmission_time(value: datetime) -> str:
    """DE7: MMDDhhmmss, in UTC."""
    return value.strftime("%m%d%H%M%S")


def additional_amount(amount_type: str, currency: str, amount: int) -> str:
    """One DE54 amount: account type (00, unspecified), amount type, currency, sign (D,
    debited) and 12 digits."""
    return f"00{amount_type}{CURRENCY_NUMBERS[currency]}D{amount:012d}"


def additional_amounts(value: str | None) -> dict[str, int]:
    """DE54's amounts by amount type (each 20 characters)."""
    value = value or ""
    if len(value) % 20:
        raise MessageError("DE54 holds amounts of 20 characters each")
    return {value[at + 2 : at + 4]: int(value[at + 8 : at + 20]) for at in range(0, len(value), 20)}


def _field(number: int, value: str) -> str:
    element = ELEMENTS.get(number)
    if element is None:
        raise MessageError(f"DE{number} is not defined here")
    if element.numeric and not value.isdigit():
        raise MessageError(f"DE{number} ({element.name}) must be digits")
    if element.variable:
        if len(value) > element.length:
            raise MessageError(f"DE{number} is longer than {element.length}")
        return f"{len(value):0{element.prefix}d}{value}"
    if len(value) > element.length:
        raise MessageError(f"DE{number} is longer than {element.length}")
    return value.zfill(element.length) if element.numeric else value.ljust(element.length)


def pack(mti: str, fields: dict[int, str]) -> bytes:
    if not (len(mti) == 4 and mti.isdigit()):
        raise MessageError("the MTI is four digits")
    bitmap = 0
    for number in fields:
        if not 2 <= number <= 64:
            raise MessageError(f"DE{number} is outside the primary bitmap")
        bitmap |= 1 << (64 - number)
    body = "".join(_field(number, fields[number]) for number in sorted(fields))
    return f"{mti}{bitmap:016X}{body}".encode("ascii")


def unpack(message: bytes) -> tuple[str, dict[int, str]]:
    try:
        text = message.decode("ascii")
        mti, bitmap = text[:4], int(text[4:20], 16)
    except (UnicodeDecodeError, ValueError):
        raise MessageError("not an ASCII ISO 8583 message") from None
    position, fields = 20, {}
    for number in range(2, 65):
        if not bitmap & (1 << (64 - number)):
            continue
        element = ELEMENTS.get(number)
        if element is None:
            raise MessageError(f"DE{number} is not defined here")
        length = element.length
        if element.variable:
            length = int(text[position : position + element.prefix])
            position += element.prefix
        value = text[position : position + length]
        if len(value) != length:
            raise MessageError(f"DE{number} is cut short")
        position += length
        # Numeric elements keep their zero padding (int() reads them); text loses its spaces.
        fields[number] = value if element.numeric else value.rstrip()
    if position != len(text):
        raise MessageError("bytes left after the last data element")
    return mti, fields
