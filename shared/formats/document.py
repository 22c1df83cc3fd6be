"""What both formats share: the mapped receipt waiting for the merchant's context, card
data as the slip gives it, amounts in major units, and error paths in the document's terms."""

from __future__ import annotations

import re
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from shared.domain.base import violations
from shared.domain.errors import ValidationFailed, Violation
from shared.domain.money import to_minor
from shared.domain.receipts import ReceiptSubmission
from shared.domain.vat import breakdown

_LAST4 = re.compile(r"[0-9]{4}$")
_AUTH_CODE = re.compile(r"^[0-9A-Za-z]{6}$")
_RRN = re.compile(r"^[0-9A-Za-z]{12}$")
_TERMINAL_ID = re.compile(r"^[0-9A-Za-z_-]{1,16}$")


# Card data a slip prints in its text ("Termid: 1 / 50201912", "Ref.nr: 000295749077"),
# where a document's card fields leave it out.
_SLIP_TERMINAL = re.compile(r"\bTerm(?:inal)?[ .]?id\s*:?\s*(?:[0-9]{1,3}\s*/\s*)?([0-9A-Za-z_-]{1,16})\b",
                            re.IGNORECASE)
_SLIP_RRN = re.compile(r"\bRef(?:\.?\s*nr)?\s*[.:]\s*([0-9A-Za-z]{12})\b", re.IGNORECASE)


@dataclass
class Imported:
    """A till's document mapped to the platform's receipt fields, before the merchant's
    context: the time zone a local time is read in, and the receipt a return refunds."""

    receipt: dict
    # the platform's field (a prefix such as lines[2] or totals.vat[0]) -> the document's path
    paths: dict[str, str]
    # the original a return names: a platform receipt id or the merchant's own receipt id
    original: str | None = None

    @property
    def needs_time_zone(self) -> bool:
        return self.receipt["issued_at"].tzinfo is None

    def submission(self, country: str | None, refund_of: uuid.UUID | None) -> ReceiptSubmission:
        """The receipt, its local time read in the time zone of the merchant's country."""
        fields = dict(self.receipt, refund_of=refund_of)
        if self.needs_time_zone:
            zone = time_zone(country)
            if zone is None:
                raise ValidationFailed("the receipt breaks the rules listed in details", [Violation(
                    self.paths["issued_at"], "time_zone_unknown", "the time has no UTC offset, and the merchant has no"
                    " address whose country's time zone would place it: send the offset or register the address")])
            fields["issued_at"] = fields["issued_at"].replace(tzinfo=zone)
        with self.paths_named():
            try:
                return ReceiptSubmission.model_validate(fields)
            except ValidationError as error:
                raise ValidationFailed("the receipt breaks the rules listed in details", violations(error)) from None

    @contextmanager
    def paths_named(self):
        """Re-raise a ValidationFailed with each field named by its path in the document."""
        try:
            yield
        except ValidationFailed as error:
            raise ValidationFailed(error.message, [self._named(violation) for violation in error.details]) from None

    def _named(self, violation: Violation) -> Violation:
        prefix = max((key for key in self.paths if violation.field == key or violation.field.startswith(key)
                      and violation.field[len(key)] in ".["), key=len, default=None)
        if prefix is None:
            return violation
        return Violation(self.paths[prefix], violation.code, f"{violation.message} (the receipt's {violation.field})")


@cache
def _zones() -> dict[str, str]:
    """The first time zone tz's zone.tab lists for each country (its most populous)."""
    zones = {}
    for line in resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text().splitlines():
        if line and not line.startswith("#"):
            country, _, zone = line.split("\t")[:3]
            zones.setdefault(country, zone)
    return zones


def time_zone(country: str | None) -> ZoneInfo | None:
    zone = _zones().get(country or "")
    return ZoneInfo(zone) if zone else None


class Problems:
    """Violations gathered while mapping a document, each at its path in the document."""

    def __init__(self, currency: str):
        self.currency = currency
        self.found: list[Violation] = []

    def add(self, path: str, code: str, message: str) -> None:
        self.found.append(Violation(path, code, message))

    def minor(self, value, path: str) -> int | None:
        """A major-unit amount (a JSON number or an XML decimal's text) in minor units, exactly."""
        if value is None:
            return None
        try:
            amount = Decimal(str(value).strip())
            minor = to_minor(amount, self.currency) if amount.is_finite() else None
        except InvalidOperation:
            minor = None
        if minor is None:
            self.add(path, "amount_precision", f"an amount in {self.currency} with at most its minor unit's decimals")
        return minor

    def check(self) -> None:
        if self.found:
            raise ValidationFailed("the document cannot be read as a receipt", self.found)


def card_data(masked_pan: str | None, auth_code: str | None, rrn: str | None, terminal_id: str | None) -> dict:
    """The card data a slip gives, as far as the platform can match on it. A masked number
    without its last 4 digits, an approval reference longer than ISO 8583's 6 characters or
    an id out of its field's form identifies nothing and is left out; a full card number is
    kept for the receipt's rules to refuse."""
    masked_pan = (masked_pan or "").strip()
    return {
        "masked_pan": masked_pan if _LAST4.search(masked_pan.replace(" ", "")) else None,
        "auth_code": auth_code.strip() if auth_code and _AUTH_CODE.fullmatch(auth_code.strip()) else None,
        "rrn": rrn.strip() if rrn and _RRN.fullmatch(rrn.strip()) else None,
        "terminal_id": terminal_id.strip() if terminal_id and _TERMINAL_ID.fullmatch(terminal_id.strip()) else None,
    }


def tax_of(lines: list[dict]) -> int:
    """The VAT a document's lines carry by their rates (gross prices), where it states none per rate."""
    if not lines or any(line["amount"] is None or line["vat_rate"] is None for line in lines):
        return 0
    return sum(entry.vat for entry in breakdown([(line["vat_rate"], line["amount"]) for line in lines], True))


def on_slip(text: str) -> tuple[str | None, str | None]:
    """The RRN and terminal id a card slip's text prints, where it prints them."""
    rrn, terminal = _SLIP_RRN.search(text), _SLIP_TERMINAL.search(text)
    return rrn and rrn.group(1), terminal and terminal.group(1)


def quantity(value: Decimal) -> int | None:
    """A whole quantity; None for a measured one (0.5 kg), which the receipt keeps as 1 of its price."""
    return int(value) if value == value.to_integral_value() and value >= 1 else None


def local(moment: datetime) -> datetime:
    """The wall-clock time at the till, as its slip prints it."""
    return moment.replace(tzinfo=None)


@dataclass
class Line:
    """One item as a document gives it, in minor units."""

    description: str
    sku: str | None
    quantity: Decimal
    amount: int | None  # after its discounts
    gross: int | None  # before them
    discounts: list[tuple[str, int]] = field(default_factory=list)
    vat_rate: Decimal | None = None
    unit: str = ""

    def fields(self) -> dict:
        """The platform's line: a measured quantity becomes 1 of its whole price."""
        whole = quantity(self.quantity)
        measured = f"{self.description} ({self.quantity.normalize()} {self.unit})".strip()
        description = self.description if whole else measured
        count = whole or 1
        if self.amount is None:
            return {"description": description[:200], "sku": self.sku, "quantity": count, "unit_price": None,
                    "amount": None, "vat_rate": self.vat_rate}
        gross = self.gross if self.gross is not None else self.amount
        discounted = gross - self.amount
        discounts = _discounts(self.discounts, discounted, count)
        if gross % count:
            count, description = 1, f"{count} × {description}"
        return {"description": description[:200], "sku": self.sku, "quantity": count, "unit_price": gross // count,
                "amount": self.amount, "vat_rate": self.vat_rate, "discounts": discounts}


def _discounts(given: list[tuple[str, int]], discounted: int, count: int) -> list[dict]:
    """The line's discounts adding up to what it was reduced by: as given, or given per unit
    (as tills print them for a quantity), or else one discount of the difference."""
    if discounted <= 0:
        return []
    for scale in (1, count):
        if given and sum(amount for _, amount in given) * scale == discounted:
            return [{"description": (text or "Rabatt")[:200], "amount": amount * scale} for text, amount in given
                    if amount]
    return [{"description": (given[0][0] if given else "") or "Rabatt", "amount": discounted}]
