"""VAT per rate (SPEC §12): rates as tills print them (a percentage, at most 2 decimals),
and the breakdown a receipt's lines give, rounded as tills round: half up, once per rate."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

from shared.domain.base import Number, json_number
from shared.domain.money import half_up

VatRate = Annotated[
    Decimal,
    Number(
        2,
        "0",
        "100",
        code="vat_rate",
        what="a VAT rate",
        description="percent, at most 2 decimals",
        examples=(19, 7, 5.5, 0),
    ),
]


@dataclass(frozen=True)
class RateTotal:
    """One rate's part of a receipt, in minor units: net + vat == gross."""

    rate: Decimal
    net: int
    vat: int
    gross: int
    lines: int  # how many lines are at this rate: the rounding a breakdown may differ by

    def entry(self) -> dict[str, int | float]:
        return {"rate": json_number(self.rate), "net": self.net, "vat": self.vat, "gross": self.gross}


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
            vat = half_up(amount * rate / (100 + rate))
            totals.append(RateTotal(rate, amount - vat, vat, amount, count))
        else:
            vat = half_up(amount * rate / 100)
            totals.append(RateTotal(rate, amount, vat, amount + vat, count))
    return totals
