"""Money is an integer in minor units plus an ISO 4217 alpha-3 currency: never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from shared.domain.base import Integer

# Active ISO 4217 codes (2026), fund and precious-metal codes left out.
ISO_4217 = frozenset(
    """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
    FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
    JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK
    MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR
    PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP
    SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF
    XCD XCG XOF XPF YER ZAR ZMW ZWG
    """.split()
)


def _known_currency(code: str) -> str:
    if code not in ISO_4217:
        raise PydanticCustomError("unknown_currency", "not an active ISO 4217 currency code")
    return code


Currency = Annotated[
    str,
    Field(
        pattern=r"^[A-Z]{3}$",
        examples=["EUR"],
        description="ISO 4217 alpha-3 code",
        json_schema_extra={"enum": sorted(ISO_4217)},
    ),
    AfterValidator(_known_currency),
]

# Bounds keep every sum of a receipt well inside a PostgreSQL bigint.
MAX_AMOUNT = 10**12
MAX_TOTAL = 10**15


Amount = Annotated[int, Integer(0, MAX_AMOUNT, description="minor units")]
PositiveAmount = Annotated[int, Integer(1, MAX_AMOUNT, description="minor units")]
Total = Annotated[int, Integer(0, MAX_TOTAL, description="minor units")]
SignedAmount = Annotated[int, Integer(-MAX_AMOUNT, MAX_AMOUNT, description="minor units, signed")]

# Minor units per currency (ISO 4217 exponent); every other active code has 2.
_EXPONENTS = {
    **dict.fromkeys("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF".split(), 0),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
}


def format_amount(minor: int, currency: str) -> str:
    """An amount in minor units as a decimal string: 820 EUR -> "8.20", 820 JPY -> "820"."""
    exponent = _EXPONENTS.get(currency, 2)
    if exponent == 0:
        return f"{minor:,}"
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), 10**exponent)
    return f"{sign}{whole:,}.{fraction:0{exponent}d}"


def to_minor(major: Decimal, currency: str) -> int | None:
    """A major-unit decimal as printed (488.00 SEK) in minor units (48800), exactly; None if
    it has more decimals than the currency's minor unit (4.005 EUR is no amount)."""
    minor = major.scaleb(_EXPONENTS.get(currency, 2))
    return int(minor) if minor == minor.to_integral_value() else None


def rounded_to_minor(major: Decimal, currency: str) -> int:
    """A major-unit decimal in minor units, rounded half up: 4.005 EUR -> 401."""
    return half_up(major.scaleb(_EXPONENTS.get(currency, 2)))


def to_major(minor: int, currency: str) -> Decimal:
    """Minor units as a major-unit decimal with the currency's places: 48800 SEK -> 488.00."""
    return Decimal(minor).scaleb(-_EXPONENTS.get(currency, 2))


def half_up(amount: Decimal) -> int:
    """A computed amount (a share of VAT, a weighed good's price) in whole minor units, as
    tills round: half up."""
    return int(amount.quantize(_ONE, rounding=ROUND_HALF_UP))


_ONE = Decimal(1)


def allocate(amount: int, weights: list[int]) -> list[int]:
    """amount split in proportion to weights, in whole minor units that add up to it exactly:
    each part rounded down, the units left over given to the largest remainders (first
    come first where they tie). Weights are non-negative and not all 0."""
    whole = sum(weights)
    parts = [amount * weight // whole for weight in weights]
    by_remainder = sorted(range(len(weights)), key=lambda index: -(amount * weights[index] % whole))
    for index in by_remainder[: amount - sum(parts)]:
        parts[index] += 1
    return parts
