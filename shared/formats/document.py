"""What both formats share: the mapped receipt waiting for the merchant's context, card
data wherever a slip prints it, amounts in major units, and paths in the document's terms.

A till's document is the legal record and the platform its carrier (SPEC §12): it is taken
as printed, and each rule of the platform's receipt it breaks is reported as a warning at
its path in the document. Refused are only a document with no card tender, and one whose
card tender gives nothing to match on or no amount charged.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import NamedTuple
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from shared.domain.base import field_name
from shared.domain.cards import PAR_FORM
from shared.domain.errors import ValidationFailed, Violation
from shared.domain.money import ISO_4217, allocate, half_up, rounded_to_minor, to_minor
from shared.domain.receipts import DECIMAL_TEXT, PIECE, UNUSABLE, ReceiptSubmission, ReceiptWarning, price

_LAST4 = re.compile(r"[0-9]{4}$")
_LINE_FIELD = re.compile(r"lines\[([0-9]+)\]\.([a-z_]+)")
_AUTH_CODE = re.compile(r"^[0-9A-Za-z]{6}$")
_RRN = re.compile(r"^[0-9A-Za-z]{12}$")
_TERMINAL_ID = re.compile(r"^[0-9A-Za-z_-]{1,16}$")


@dataclass
class Imported:
    """A till's document mapped to the platform's receipt fields, before the merchant's
    context: the time zone a local time is read in, and the receipt a return refunds."""

    format: str  # kivra or arts
    receipt: dict
    # the platform's field (a prefix such as lines[2] or totals.vat[0]) -> the document's path
    paths: dict[str, str]
    refund: bool = False  # a return: money back to the card
    # the original a return names: a platform receipt id or the merchant's own receipt id
    original: str | None = None
    # what the mapping itself noticed (an amount with more decimals than its currency has)
    noticed: list[Violation] = field(default_factory=list)
    # for each line, where the document prints its fields (amount, unit_price, …) below the line's path
    line_fields: list[dict[str, str]] = field(default_factory=list)

    @property
    def needs_time_zone(self) -> bool:
        return self.receipt["issued_at"].tzinfo is None

    def submission(self, country: str | None, refund_of: uuid.UUID | None) -> ReceiptSubmission:
        """The receipt, its local time read in the time zone of the merchant's country; a
        return whose original the platform does not hold is an unlinked refund. What does
        not fit the platform's receipt is refused at its path, in the document's words."""
        fields = dict(self.receipt, refund_of=refund_of)
        printed_tax = fields["totals"]["tax"] is not None
        if not printed_tax:
            fields["totals"] = dict(fields["totals"], tax=0)
        if self.refund and refund_of is None:  # a return whose original is elsewhere, or not named
            fields["kind"] = "refund"
        if self.needs_time_zone:
            zone = time_zone(country)
            if zone is None:
                raise ValidationFailed(
                    "the receipt breaks the rules listed in details",
                    [
                        Violation(
                            self.paths["issued_at"],
                            "time_zone_unknown",
                            "the time has no UTC offset, and the merchant has no"
                            " address whose country's time zone would place it: send the offset or register the address",
                        )
                    ],
                )
            fields["issued_at"] = fields["issued_at"].replace(tzinfo=zone)
        try:
            submitted = ReceiptSubmission.model_validate(fields)
        except ValidationError as error:
            raise ValidationFailed(
                "the document cannot be read as a receipt",
                [
                    self._named(Violation(field_name(problem["loc"]), "invalid_value", problem["msg"]))
                    for problem in error.errors(include_url=False, include_input=False, include_context=False)
                ],
            ) from None
        if not printed_tax:  # a till that prints no VAT: what its lines' rates give
            receipt, _ = submitted.rules_broken()
            tax = sum(entry.vat for entry in receipt.totals.vat or ())
            submitted = submitted.model_copy(update={"totals": submitted.totals.model_copy(update={"tax": tax})})
        return submitted

    def accepted(self, submitted: ReceiptSubmission) -> tuple[ReceiptSubmission, list[ReceiptWarning]]:
        """The receipt as printed (its VAT per rate filled in where the lines give it), and a
        warning for each rule it breaks; ValidationFailed if it has nothing to match on."""
        receipt, broken = submitted.rules_broken()
        unusable = [self._named(violation) for violation in broken if violation.code in UNUSABLE]
        if unusable:
            raise ValidationFailed("the receipt has no card payment the platform can match", unusable)
        found = [*self.noticed, *(self._named(violation) for violation in broken)]
        if self.original and submitted.refund_of is None:
            found.append(
                Violation(
                    self.paths["original"],
                    "original_unknown",
                    "the original receipt is not on the platform: the return is kept as a refund linked to none",
                )
            )
        return receipt, [
            ReceiptWarning(path=violation.field, code=violation.code, message=violation.message) for violation in found
        ]

    def fingerprint(self, submitted: ReceiptSubmission, key: bytes) -> str:
        """A keyed hash of what the document says, whatever the platform holds: a return sent
        again once its original is on the platform is still the same document."""
        said = submitted.model_copy(update={"refund_of": None, "kind": "refund"}) if submitted.refund_of else submitted
        if self.original is None:
            return said.fingerprint(key)
        return hmac.new(key, f"{said.fingerprint(key)}|{self.original}".encode(), hashlib.sha256).hexdigest()

    def _named(self, violation: Violation) -> Violation:
        """The violation at its path in the document, the receipt's field named in its message."""
        return Violation(
            self._path(violation.field), violation.code, f"{violation.message} (the receipt's {violation.field})"
        )

    def _path(self, name: str) -> str:
        """Where the document prints the receipt's field: a line's own field below the line, else
        the nearest enclosing field the mapping named (the field itself if none)."""
        if (line := _LINE_FIELD.fullmatch(name)) and int(line[1]) < len(self.line_fields):
            if below := self.line_fields[int(line[1])].get(line[2]):
                return f"{self.paths[f'lines[{line[1]}]']}/{below}"
        prefix = max(
            (key for key in self.paths if name == key or name.startswith(key) and name[len(key)] in ".["),
            key=len,
            default=None,
        )
        return self.paths[prefix] if prefix else name


@cache
def _zones() -> dict[str, str]:
    """The first time zone tz's zone.tab lists for each country (its most populous)."""
    zones: dict[str, str] = {}
    for line in resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text().splitlines():
        if line and not line.startswith("#"):
            country, _, zone = line.split("\t")[:3]
            zones.setdefault(country, zone)
    return zones


def time_zone(country: str | None) -> ZoneInfo | None:
    zone = _zones().get(country or "")
    return ZoneInfo(zone) if zone else None


def no_card_payment(path: str, tenders: list[str]) -> ValidationFailed:
    """The one refusal a document paid with no card gets (SPEC §12), naming what paid it."""
    return ValidationFailed(
        "the receipt has no card payment to match",
        [
            Violation(
                path, "no_card_payment", "no card tender: the document is paid by " + (", ".join(tenders) or "nothing")
            )
        ],
    )


class Problems:
    """What a document's figures say as it is mapped, each at its path in the document: what
    cannot be read (refused), and what was read with a change (noticed, a warning)."""

    def __init__(self, currency: str):
        self.currency = currency
        self.found: list[Violation] = []
        self.noticed: list[Violation] = []

    def add(self, path: str, code: str, message: str) -> None:
        self.found.append(Violation(path, code, message))

    def notice(self, path: str, code: str, message: str) -> None:
        self.noticed.append(Violation(path, code, message))

    def minor(self, value, path: str, exact: bool = False) -> int | None:
        """A major-unit amount (a JSON number or an XML decimal's text) in minor units. One
        with more decimals than the currency has is rounded half up and noticed; where an
        exact amount is needed (what a card was charged), it is refused."""
        if value is None:
            return None
        amount = _decimal(value)
        if amount is None:
            self.add(path, "invalid_amount", f"an amount in {self.currency}, as 488.00")
            return None
        minor = to_minor(amount, self.currency)
        if minor is not None:
            return minor
        if exact:
            self.add(
                path,
                "amount_precision",
                f"the amount charged, in {self.currency} with at most its minor unit's decimals",
            )
            return None
        self.notice(
            path, "amount_precision", f"more decimals than {self.currency} has: read rounded half up to its minor unit"
        )
        return rounded_to_minor(amount, self.currency)

    def check(self) -> None:
        if self.found:
            raise ValidationFailed("the document cannot be read as a receipt", self.found)


# --- card data, from a tender's fields and its slip's text -----------------------------------

# How slips print card data, label before value; a label may also stand in an attribute of
# its own (ARTS's <se:Text Name="AUT.KOD:">), which is read as the start of its line.
_MASK = re.compile(r"[*Xx•#]")
_SPACING = re.compile(r"[ -]")
_SLIP_PAN = re.compile(
    rf"(?<![0-9A-Za-z*])((?:[0-9]|{_MASK.pattern})(?:[ -]?(?:[0-9]|{_MASK.pattern})){{11,18}})"
    r"(?![0-9A-Za-z*])"
)
_SLIP_RRN = re.compile(r"\b(?:Ref(?:erens)?(?:\.?\s*nr)?|RRN)\s*[.:]?\s*([0-9A-Za-z]{12})\b", re.IGNORECASE)
# A terminal id as ISO 8583's DE41 carries it (8 characters at most): a longer one printed
# on a slip is the terminal's own serial, which the issuer never sees.
_SLIP_TERMINAL = re.compile(
    r"\bTerm(?:inal)?(?:[ .]?id)?\s*:\s*(?:[0-9]{1,3}\s*/\s*)?([0-9A-Za-z_-]{1,8})(?![0-9A-Za-z_-])", re.IGNORECASE
)
_SLIP_AUTH_CODE = re.compile(
    r"\b(?:AUT(?:H|\.)?\s*\.?\s*(?:KOD|CODE|NO|NR)|Auth(?:orisation|orization)?\s*code|Godk(?:\.|ännande)?\s*kod"
    r"|Appr(?:oval)?\.?\s*code|Genehmigungs-?\s*nr)\.?\s*:?\s*([0-9A-Za-z]{6})\b",
    re.IGNORECASE,
)
# Swedish terminals print the approval code last on the verification line: "K/1 7 000 SWE 784547".
_SLIP_VERIFICATION = re.compile(r"^\s*[A-Z][a-z]?/?[0-9]\s+[0-9]\s+[0-9_]{3}\s+[A-Z]{3}\s+([0-9A-Z]{6})\s*$")


class Slip(NamedTuple):
    """What a card slip's text prints of the card and the transaction (or a tender's fields)."""

    masked_pan: str | None = None
    auth_code: str | None = None
    rrn: str | None = None
    terminal_id: str | None = None


_NOTHING_PRINTED = Slip()


def read_slip(lines: list[str]) -> Slip:
    """The card data a slip's text prints, the first of each where a slip (or two slips, a
    copy after the customer's) prints it more than once."""
    if not lines:
        return _NOTHING_PRINTED
    found: dict[str, str] = {}
    for line in lines:
        for name, pattern in (
            ("rrn", _SLIP_RRN),
            ("terminal_id", _SLIP_TERMINAL),
            ("auth_code", _SLIP_AUTH_CODE),
            ("auth_code", _SLIP_VERIFICATION),
        ):
            if name not in found and (match := pattern.search(line)):
                found[name] = match.group(1)
        if "masked_pan" not in found:
            for match in _SLIP_PAN.finditer(line):
                printed = _SPACING.sub("", match.group(1))
                if _MASK.search(printed) and _LAST4.search(printed):
                    found["masked_pan"] = _MASK.sub("*", printed)
                    break
    return Slip(**found)


def card_line(printed: Slip, slip: Slip, amount: int | None, currency: str, at: datetime | None) -> dict:
    """The platform's card line for a tender: the card data its own fields give (printed),
    its slip's text where they are silent, as far as the platform can match on it; charged
    amount, at the local time of day. A masked number without its last 4 digits, an
    approval reference longer than ISO 8583's 6 characters or an id out of its field's form
    identifies nothing and is left out; a full card number is kept for the receipt's rules
    to refuse."""
    printed_pan = (printed.masked_pan or "").strip()
    masked_pan = printed_pan if _LAST4.search(printed_pan.replace(" ", "")) else slip.masked_pan
    at = _local(at) if at else datetime.min
    return {
        "masked_pan": masked_pan or None,
        "auth_code": _fitting(printed.auth_code, _AUTH_CODE) or _fitting(slip.auth_code, _AUTH_CODE),
        "rrn": _fitting(printed.rrn, _RRN) or _fitting(slip.rrn, _RRN),
        "terminal_id": _fitting(printed.terminal_id, _TERMINAL_ID) or _fitting(slip.terminal_id, _TERMINAL_ID),
        "amount": amount,
        "currency": currency,
        "transaction_date": at.date(),
        "transaction_time": at.time().isoformat(),
    }


def carried(par: object, charged: tuple[object, object, object] | None) -> dict[str, object]:
    """What a document's card tender says beyond the card, as a card line's fields: the
    account's PAR, and the money a card was charged in its own currency (currency, amount
    in major units, the printed rate) as its dcc. What does not fit its form, or an amount
    the currency cannot hold exactly, identifies nothing and is left out."""
    fields: dict[str, object] = {}
    if isinstance(par, str) and PAR_FORM.fullmatch(par):
        fields["par"] = par
    currency, amount, rate = charged or (None, None, None)
    currency = str(currency or "").upper()
    major, printed_rate = _decimal(amount), _decimal(rate)
    minor = to_minor(major, currency) if major is not None and currency in ISO_4217 else None
    if minor:
        rate_text = format(printed_rate.normalize(), "f") if printed_rate is not None else ""
        fields["dcc"] = {"currency": currency, "amount": minor} | (
            {"exchange_rate": rate_text} if re.fullmatch(DECIMAL_TEXT, rate_text) else {}
        )
    return fields


def _decimal(value: object) -> Decimal | None:
    """A document's number (a JSON number or an XML decimal's text) exactly; None if it is none."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _fitting(value: str | None, form: re.Pattern) -> str | None:
    value = (value or "").strip()
    return value if form.fullmatch(value) else None


# --- items, discounts, rounding -------------------------------------------------------------


def _local(moment: datetime) -> datetime:
    """The wall-clock time at the till, as its slip prints it."""
    return moment.replace(tzinfo=None)


@dataclass
class Line:
    """One item as a document prints it, in minor units."""

    description: str
    sku: str | None
    quantity: Decimal
    amount: int | None  # after its discounts
    gross: int | None = None  # before them
    discounts: list[tuple[str, int]] = field(default_factory=list)
    vat_rate: Decimal | None = None
    unit: str = PIECE
    unit_price: int | None = None  # as printed, before discounts
    vat_exemption: str | None = None

    def fields(self) -> dict:
        """The platform's line. Without a printed unit price, one is derived from the line's
        gross; a count whose gross it does not divide is kept as 1 of its whole price."""
        line = {
            "description": (self.description or self.sku or "Item")[:200],
            "sku": self.sku,
            "quantity": self.quantity,
            "unit": self.unit,
            "unit_price": None,
            "amount": None,
            "vat_rate": self.vat_rate,
            "vat_exemption": self.vat_exemption,
        }
        if self.amount is None:
            return line
        gross = self.gross if self.gross is not None else self.amount
        quantity, unit_price = self.quantity, self.unit_price
        if unit_price is None and quantity > 0:
            whole = quantity == quantity.to_integral_value()
            if whole and gross % int(quantity):
                line["description"] = f"{quantity.normalize()} × {line['description']}"[:200]
                quantity = line["quantity"] = Decimal(1)
            unit_price = gross // int(quantity) if whole else half_up(gross / quantity)
        before = price(quantity, unit_price) if quantity > 0 and unit_price is not None else gross
        return line | {
            "unit_price": unit_price,
            "amount": self.amount,
            "discounts": _discounts(self.discounts, before - self.amount, quantity),
        }


def _discounts(given: list[tuple[str, int]], reduced: int, quantity: Decimal) -> list[dict]:
    """The line's discounts: as given, or given per unit (as tills print them for a count)
    where that is what the line was reduced by."""
    if not given:
        return []
    printed = [(text or "Rabatt", amount) for text, amount in given if amount > 0]
    per_line = sum(amount for _, amount in printed)
    if printed and per_line != reduced and quantity == quantity.to_integral_value() and per_line * quantity == reduced:
        printed = [(text, amount * int(quantity)) for text, amount in printed]
    return [{"description": text[:200], "amount": amount} for text, amount in printed]


def discount(
    description: str, amount: int, lines: list[Line], links: list, numbered: dict, problems: Problems, path: str
) -> dict | None:
    """A reduction of the lines links name (by the document's item numbers; linking none, of
    all): shared out over those with an amount in proportion to it, as a till prorates it.
    Links that name no priced line are noticed, and the reduction goes over every priced
    line; None for one of nothing, or with no priced line to go over (noticed too)."""
    if not amount:
        return None
    linked = [numbered[link] for link in links if link in numbered and lines[numbered[link]].amount]
    if len(linked) < len(links):
        problems.notice(
            path,
            "discount_line_unknown",
            "it links items that are not priced lines of the receipt:"
            " shared over " + ("the rest" if linked else "every priced line"),
        )
    linked = linked or [index for index, line in enumerate(lines) if line.amount]
    if not linked:
        problems.notice(path, "discount_line_unknown", "no priced line to share it over: left out")
        return None
    shares = allocate(amount, [lines[index].amount for index in linked])
    return {
        "description": (description or "Rabatt")[:200],
        "amount": amount,
        "shares": [{"line": index, "amount": share} for index, share in zip(linked, shares) if share],
    }


def printed_receipt(
    number: str,
    issued_at: datetime | None,
    currency: str,
    lines: list[Line],
    discounts: list[dict],
    vat: list[dict],
    tax: int | None,
    total: int,
    rounding_printed: int,
    payments: list[dict],
) -> dict:
    """The platform's receipt fields of a document as printed (prices include VAT, as the
    tills' formats print them; a tax of None: printed nowhere)."""
    line_fields = [line.fields() for line in lines]
    subtotal, rounded = _subtotal_and_rounding(line_fields, discounts, rounding_printed, total)
    return {
        "merchant_receipt_id": number,
        "issued_at": issued_at,
        "currency": currency,
        "prices_include_vat": True,
        "lines": line_fields,
        "discounts": discounts,
        "totals": {"subtotal": subtotal, "tax": tax, "tip": 0, "total": total, "rounding": rounded, "vat": vat or None},
        "payments": payments,
    }


def _subtotal_and_rounding(lines: list[dict], discounts: list[dict], printed: int, total: int) -> tuple[int, int]:
    """The receipt's subtotal (its lines less its discounts; where the till prints no prices,
    its total less the rounding) and its cash rounding, signed as the total takes it: tills
    print it signed or as the amount rounded off, and the document's own total says which."""
    if any(line["amount"] is None for line in lines):
        return total - printed, printed
    subtotal = sum(line["amount"] for line in lines) - sum(entry["amount"] for entry in discounts)
    if subtotal + printed != total and subtotal - printed == total:
        return subtotal, -printed
    return subtotal, printed
