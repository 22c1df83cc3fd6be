"""VAT per rate (SPEC §12): rates as tills print them (a percentage, at most 2 decimals),
and the breakdown a receipt's lines give, rounded as tills round: half up, once per rate."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError


def _rate(value):
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise PydanticCustomError("vat_rate_type", "a VAT rate is a number: the percentage, as 19 or 5.5")
    rate = Decimal(str(value))
    if not rate.is_finite() or rate.as_tuple().exponent < -2:
        raise PydanticCustomError("vat_rate_precision", "a VAT rate has at most 2 decimals")
    return rate


def _number(rate: Decimal) -> int | float:
    """As JSON writes a rate: 19, not "19" or 19.0; 5.5."""
    return int(rate) if rate == rate.to_integral_value() else float(rate)


VatRate = Annotated[
    Decimal,
    BeforeValidator(_rate),
    Field(ge=0, le=100),
    PlainSerializer(_number, when_used="json"),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 100, "multipleOf": 0.01,
                    "description": "percent, at most 2 decimals", "examples": [19, 7, 5.5, 0]}),
]


@dataclass(frozen=True)
class RateTotal:
    """One rate's part of a receipt, in minor units: net + vat == gross."""

    rate: Decimal
    net: int
    vat: int
    gross: int
    lines: int  # how many lines are at this rate: the rounding a breakdown may differ by

    def entry(self) -> dict:
        return {"rate": _number(self.rate), "net": self.net, "vat": self.vat, "gross": self.gross}


def _half_up(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def breakdown(lines: list[tuple[Decimal, int]], prices_include_vat: bool) -> list[RateTotal]:
    """Per rate, highest first: the lines' (rate, amount) summed, the VAT taken out of gross
    prices or added to net ones."""
    sums: dict[Decimal, list[int]] = defaultdict(lambda: [0, 0])
    for rate, amount in lines:
        sums[rate][0] += amount
        sums[rate][1] += 1
    totals = []
    for rate, (amount, count) in sorted(sums.items(), reverse=True):
        if prices_include_vat:
            vat = _half_up(amount * rate / (100 + rate))
            totals.append(RateTotal(rate, amount - vat, vat, amount, count))
        else:
            vat = _half_up(amount * rate / 100)
            totals.append(RateTotal(rate, amount, vat, amount + vat, count))
    return totals
