"""A merchant's itemised receipt and the rules it must keep (SPEC §4, §12)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, Discriminator, Field, Tag, ValidationInfo, field_validator

from shared.domain.base import UNION_TAGS, Integer, Number, RequestModel, Text
from shared.domain.cards import AuthCode, LocalTime, Par, PrintedPan, Rrn, TerminalId, Wallet, cashback_inside
from shared.domain.errors import ValidationFailed, Violation
from shared.domain.money import Amount, Currency, PositiveAmount, SignedAmount, Total, half_up
from shared.domain.parties import Address
from shared.domain.vat import RateTotal, VatRate, breakdown

Quantity = Annotated[
    Decimal,
    Number(
        3,
        "0.001",
        "1000000",
        code="quantity",
        what="a quantity",
        description="how many, or how much of a weighed good (at most 3 decimals)",
        examples=(2, 0.512),
    ),
]
# UN/ECE Recommendation 20's unit codes: H87 piece, KGM kilogram, LTR litre, MTR metre, …
UnitCode = Annotated[
    str,
    Field(pattern=r"^[A-Z0-9]{2,3}$", examples=["H87", "KGM", "LTR"], description="UN/ECE Recommendation 20 unit code"),
]
PIECE = "H87"
# Why a line carries no VAT rate: a deposit on bottles and cans (pant), a supply outside
# the scope of VAT, or one exempt from it.
VatExemption = Literal["deposit", "outside_scope", "exempt"]


class Discount(RequestModel):
    """A reduction printed under a line (a campaign, a member price)."""

    description: Annotated[str, Text(200)]
    amount: PositiveAmount


class ReceiptLine(RequestModel):
    later_fields = frozenset({"vat_rate", "discounts", "unit", "vat_exemption"})

    description: Annotated[str, Text(200)]
    sku: Annotated[str, Text(64)] | None = None
    quantity: Quantity
    unit: UnitCode = PIECE
    # Both or neither: a till may list an item without its price (ARTS DR does), and then
    # no line of the receipt has one and its totals stand for them.
    unit_price: Amount | None  # per unit: per piece, per kilogram of a weighed good
    amount: Amount | None  # quantity × unit_price rounded half up to the minor unit, − the discounts
    vat_rate: VatRate | None = None
    vat_exemption: VatExemption | None = None
    discounts: list[Discount] = Field(default_factory=list, max_length=20)

    def price(self) -> int:
        """The line's price before its discounts; a line without a unit price has none."""
        assert self.unit_price is not None, "only a line with a unit price has a price"
        return price(self.quantity, self.unit_price)


def price(quantity: Decimal, unit_price: int) -> int:
    """A line's price before its discounts: quantity × unit price, rounded half up to the
    minor unit (a weighed good's; a count's is exact)."""
    whole = int(quantity)
    return unit_price * whole if whole == quantity else half_up(quantity * unit_price)


class DiscountShare(RequestModel):
    """The part of a receipt's discount that reduces one line (by its 0-based index)."""

    line: Annotated[int, Integer(0, 499)]
    amount: PositiveAmount


class ReceiptDiscount(RequestModel):
    """A reduction of several lines or the whole receipt ("3 for 2", 10 % off today), shared
    out over the lines it reduces, so that VAT per rate stays computable."""

    description: Annotated[str, Text(200)]
    amount: PositiveAmount
    shares: list[DiscountShare] = Field(min_length=1, max_length=500)


class VatTotal(RequestModel):
    """One rate's part of the receipt: net + vat == gross (minor units)."""

    rate: VatRate
    net: Total
    vat: Total
    gross: Total


class Totals(RequestModel):
    later_fields = frozenset({"vat", "rounding"})

    subtotal: Total
    tax: Total
    tip: Total
    rounding: SignedAmount = 0  # cash rounding (öresavrundning), part of the total
    total: Total
    vat: list[VatTotal] | None = Field(None, min_length=1, max_length=10)


# A rate or a percentage as the slip prints it: a decimal string ("11.2233", "3.5").
DECIMAL_TEXT = r"^[0-9]{1,9}(\.[0-9]{1,9})?$"
DecimalText = Annotated[str, Field(pattern=DECIMAL_TEXT, examples=["11.2233", "3.5"])]


class Dcc(RequestModel):
    """Dynamic currency conversion: the card was charged amount (minor units) in currency,
    the cardholder's own, while the line's amount stays in the receipt's currency."""

    currency: Currency
    amount: PositiveAmount
    exchange_rate: DecimalText | None = None  # as printed: receipt currency to the card's
    markup_percent: DecimalText | None = None  # as printed, over the reference rate


class CardPaymentLine(RequestModel):
    """The EMV data printed on the card slip: what a bank's payment is matched on (SPEC §12).

    A slip shows the card number (first 6 and last 4 digits, or the last 4 only), or no
    digits at all but the acquirer's reference: rrn and terminal_id (DE37, DE41) then
    identify the transaction. Paid with a wallet, the digits are the token's."""

    later_fields = frozenset({"wallet", "par", "cashback", "dcc"})

    masked_pan: PrintedPan | None = None
    auth_code: AuthCode | None = None  # not every slip prints one (offline, some contactless)
    amount: PositiveAmount
    currency: Currency
    transaction_date: date
    transaction_time: LocalTime
    terminal_id: TerminalId | None = None
    rrn: Rrn | None = None
    scheme: Annotated[str, Text(20)] | None = None
    wallet: Wallet | None = None  # masked_pan is then the token's digits as printed
    par: Par | None = None  # where the terminal or the acquirer gave it
    cashback: PositiveAmount | None = None  # cash paid out on this line, inside its amount
    dcc: Dcc | None = None

    @field_validator("cashback")
    @classmethod
    def _cashback_inside_amount(cls, cashback: int | None, info: ValidationInfo) -> int | None:
        return cashback_inside(cashback, info.data.get("amount"))


class OtherTender(RequestModel):
    """A tender beside the card (split tender): never matched, counted toward the total."""

    type: Literal["cash", "gift_card", "voucher", "other"]
    amount: PositiveAmount


_TENDER_KINDS: dict[type[object], str] = {OtherTender: "other", CardPaymentLine: "card"}


def _tender_kind(value: object) -> str | None:
    """A payment line with a type is another tender; without, a card line (None: not an
    object at all, which pydantic then refuses)."""
    if isinstance(value, dict):
        return "other" if "type" in value else "card"
    return _TENDER_KINDS.get(type(value))


UNION_TAGS.update({"card", "other"})
Tender = Annotated[
    Annotated[CardPaymentLine, Tag("card")] | Annotated[OtherTender, Tag("other")],
    Discriminator(_tender_kind),
]


class Fiscal(RequestModel):
    """What the till's security module (TSE) signed, as Germany's KassenSichV asks (SPEC §12);
    the receipt page prints it as the DSFinV-K QR code."""

    client_id: Annotated[str, Text(64)]  # the till's serial
    tse_serial: Annotated[str, Text(128)]
    transaction_number: Annotated[int, Integer(1, 10**15)]
    signature_counter: Annotated[int, Integer(1, 10**15)]
    start_time: Annotated[str, Text(40)]
    end_time: Annotated[str, Text(40)]
    process_type: Annotated[str, Text(40)]  # Kassenbeleg-V1 for a receipt
    process_data: Annotated[str, Text(1000)]  # Beleg^<gross at 19 %>_<7 %>_<10.7 %>_<5.5 %>_<0 %>^<payments>
    signature_algorithm: Annotated[str, Text(64)]
    time_format: Annotated[str, Text(40)]
    signature: Annotated[str, Text(1024)]
    public_key: Annotated[str, Text(1024)]

    def qr_code(self) -> str:
        """The DSFinV-K receipt QR code's text."""
        return "V0;" + ";".join(
            str(value)
            for value in (
                self.client_id,
                self.process_type,
                self.process_data,
                self.transaction_number,
                self.signature_counter,
                self.start_time,
                self.end_time,
                self.signature_algorithm,
                self.time_format,
                self.signature,
                self.public_key,
            )
        )

    def signed_gross(self) -> dict[Decimal, int] | None:
        """For a Kassenbeleg-V1, the gross amounts per rate (minor units) the TSE signed; None
        when its process data says none in that form."""
        parts = self.process_data.split("^")
        if self.process_type != "Kassenbeleg-V1" or len(parts) < 2 or parts[0] != "Beleg":
            return None
        amounts = parts[1].split("_")
        if len(amounts) != len(DSFINVK_RATES):
            return None
        try:
            return {rate: int(Decimal(amount) * 100) for rate, amount in zip(DSFINVK_RATES, amounts)}
        except ArithmeticError:
            return None


# The rates of a Kassenbeleg-V1's process data, in its order: standard, reduced, the
# farmers' average rates, and none.
DSFINVK_RATES = (Decimal(19), Decimal(7), Decimal("10.7"), Decimal("5.5"), Decimal(0))


class Store(RequestModel):
    """A chain's branch that issued the receipt: its address stands for the merchant's on it."""

    id: Annotated[str, Text(64)]
    name: Annotated[str, Text(200)]
    address: Address | None = None


class ReceiptWarning(BaseModel):
    """A rule of the platform's receipt that a till's document breaks, where the document
    breaks it: the document was taken as printed (SPEC §12). The code is the one the JSON
    API's 422 uses for the same rule; amount_precision (an amount read rounded) and
    original_unknown (a return kept unlinked) are a document's own."""

    path: str
    code: str
    message: str


def sale_or_refund(receipt: dict[str, Any]) -> Literal["sale", "refund"]:
    """A receipt's kind, from its JSON: as it states it, else a refund when it names the
    receipt it refunds, else a sale."""
    return receipt.get("kind") or ("refund" if receipt.get("refund_of") else "sale")


def extras(receipt: dict[str, Any]) -> dict[str, Any]:
    """What a stored receipt (its JSON) carries beyond the SPEC §4 shape: the later fields it
    has, its kind, and the warnings a till's document was taken with."""
    return (
        {key: receipt[key] for key in ReceiptSubmission.later_fields if key in receipt}
        | {"kind": sale_or_refund(receipt)}
        | ({"warnings": receipt["warnings"]} if receipt.get("warnings") else {})
    )


# What no receipt is taken with, whatever its format: a card line the platform can match on.
# A till's document breaking any other rule is taken as printed, the rule reported as a warning.
UNUSABLE = frozenset({"no_card_payment", "card_data_missing"})


class ReceiptSubmission(RequestModel):
    later_fields = frozenset({"prices_include_vat", "store", "fiscal", "kind", "discounts"})

    merchant_receipt_id: Annotated[str, Text(64)]
    issued_at: AwareDatetime
    currency: Currency
    store: Store | None = None
    # true: gross prices, VAT included (EU retail); false: net prices, tax added (US sales tax).
    prices_include_vat: bool = False
    lines: list[ReceiptLine] = Field(min_length=1, max_length=500)
    discounts: list[ReceiptDiscount] = Field(default_factory=list, max_length=20)
    totals: Totals
    payments: list[Tender] = Field(min_length=1, max_length=10)
    # sale or refund: left out, a receipt naming refund_of is a refund, any other a sale. A
    # refund's card lines match the bank's refund payments.
    kind: Literal["sale", "refund"] | None = None
    # The platform id of the merchant's receipt a refund refunds, where the platform holds it.
    refund_of: uuid.UUID | None = None
    fiscal: Fiscal | None = None

    @property
    def card_lines(self) -> list[CardPaymentLine]:
        return [tender for tender in self.payments if isinstance(tender, CardPaymentLine)]

    @property
    def is_refund(self) -> bool:
        return sale_or_refund({"kind": self.kind, "refund_of": self.refund_of}) == "refund"

    def check(self) -> ReceiptSubmission:
        """The receipt with its VAT per rate filled in where the lines give it; raise
        ValidationFailed listing every rule it breaks."""
        receipt, broken = self.rules_broken()
        if broken:
            raise ValidationFailed("the receipt breaks the rules listed in details", broken)
        return receipt

    def rules_broken(self) -> tuple[ReceiptSubmission, list[Violation]]:
        """The receipt with its VAT per rate filled in where the lines give it, and every
        rule it breaks (SPEC §4, §12)."""
        violations = self._line_violations() + self._discount_violations()
        if (amounts := self._amounts()) is not None:
            discounted = sum(discount.amount for discount in self.discounts) if self.discounts else 0
            if self.totals.subtotal != sum(amounts) - discounted:
                violations.append(
                    Violation(
                        "totals.subtotal",
                        "subtotal_mismatch",
                        "subtotal must equal the sum of the"
                        " line amounts" + (" less the receipt's discounts" if discounted else ""),
                    )
                )
        vat, vat_violations = self._vat()
        violations += vat_violations
        violations += self._total_violations()
        violations += self._tender_violations()
        violations += self._fiscal_violations(vat)
        if self.kind == "sale" and self.refund_of is not None:
            violations.append(Violation("kind", "kind_mismatch", "a receipt naming refund_of is a refund"))
        if vat is None or self.totals.vat is not None:
            return self, violations
        return self.model_copy(
            update={
                "totals": self.totals.model_copy(
                    update={"vat": [VatTotal.model_validate(entry.entry()) for entry in vat]}
                )
            }
        ), violations

    def _line_violations(self) -> list[Violation]:
        violations = []
        for index, line in enumerate(self.lines):
            if line.unit == PIECE and line.quantity != line.quantity.to_integral_value():
                violations.append(
                    Violation(
                        f"lines[{index}].quantity",
                        "quantity_not_whole",
                        "pieces are counted whole: a weighed or measured good gives its unit (KGM, LTR, MTR, …)",
                    )
                )
            if line.vat_exemption is not None and line.vat_rate is not None:
                violations.append(
                    Violation(
                        f"lines[{index}].vat_exemption",
                        "vat_exemption_with_rate",
                        "a line has a vat_rate or a vat_exemption, not both",
                    )
                )
        unpriced = [line.amount is None or line.unit_price is None for line in self.lines]
        if any(unpriced):
            if all(line.amount is None and line.unit_price is None and not line.discounts for line in self.lines):
                return violations
            return violations + [
                Violation(
                    f"lines[{index}]",
                    "line_price_missing",
                    "every line needs unit_price and amount once any"
                    " line has one (a receipt whose till prints no prices gives neither, nor discounts)",
                )
                for index, line in enumerate(self.lines)
                if unpriced[index] or line.discounts
            ]
        for index, line in enumerate(self.lines):
            price = line.price()
            discounted = sum(discount.amount for discount in line.discounts)
            if discounted > price:
                violations.append(
                    Violation(
                        f"lines[{index}].discounts",
                        "discount_exceeds_price",
                        "the discounts may not exceed quantity × unit_price",
                    )
                )
            elif line.amount != price - discounted:
                rounded = "" if line.quantity == line.quantity.to_integral_value() else " (rounded half up)"
                violations.append(
                    Violation(
                        f"lines[{index}].amount",
                        "line_amount_mismatch",
                        f"amount must equal quantity × unit_price{rounded}"
                        + (" − the line's discounts" if line.discounts else ""),
                    )
                )
        return violations

    def _shared(self) -> list[int]:
        """Per line, what the receipt's discounts take off it (shares naming no line are left out)."""
        shared = [0] * len(self.lines)
        if not self.discounts:
            return shared
        for discount in self.discounts:
            for share in discount.shares:
                if share.line < len(shared):
                    shared[share.line] += share.amount
        return shared

    def _discount_violations(self) -> list[Violation]:
        if not self.discounts:
            return []
        violations = []
        for index, discount in enumerate(self.discounts):
            violations += [
                Violation(
                    f"discounts[{index}].shares[{number}].line",
                    "discount_line_unknown",
                    "a share names a line of this receipt with an amount, by its 0-based index",
                )
                for number, share in enumerate(discount.shares)
                if share.line >= len(self.lines) or self.lines[share.line].amount is None
            ]
            if sum(share.amount for share in discount.shares) != discount.amount:
                violations.append(
                    Violation(
                        f"discounts[{index}].shares",
                        "discount_shares_mismatch",
                        "the shares must add up to the discount's amount",
                    )
                )
        violations += [
            Violation(
                f"lines[{index}]", "discount_exceeds_line", "its shares of the receipt's discounts exceed its amount"
            )
            for index, (line, shared) in enumerate(zip(self.lines, self._shared()))
            if shared > (line.amount or 0)
        ]
        return violations

    def _amounts(self) -> list[int] | None:
        """Every line's amount; None unless every line has one (a till may print no prices)."""
        amounts = [line.amount for line in self.lines if line.amount is not None]
        return amounts if len(amounts) == len(self.lines) else None

    def _vat(self) -> tuple[list[RateTotal] | None, list[Violation]]:
        """The breakdown per rate the lines give (None for a receipt without rates), and how
        a stated breakdown or tax disagrees with it (SPEC §12). A receipt's discounts come off
        the lines they are shared over; lines outside VAT are in no rate."""
        rated = [line.vat_rate is not None for line in self.lines]
        if not any(rated):
            if self.totals.vat is not None:
                return None, [
                    Violation("totals.vat", "vat_rate_missing", "a VAT breakdown needs every line's vat_rate")
                ]
            return None, []
        amounts = self._amounts()
        if amounts is None:
            return None, [Violation("lines", "vat_rate_without_price", "VAT per rate needs the lines' amounts")]
        unrated = [
            index for index, line in enumerate(self.lines) if line.vat_rate is None and line.vat_exemption is None
        ]
        if unrated:
            return None, [
                Violation(
                    f"lines[{index}].vat_rate",
                    "vat_rate_missing",
                    "every line needs its vat_rate, or the vat_exemption it has none for, once any line has one",
                )
                for index in unrated
            ]
        if any(shared > amount for amount, shared in zip(amounts, self._shared())):
            return None, []  # no rate's base can be told; discount_exceeds_line says why
        computed = breakdown(
            [
                (line.vat_rate, amount - shared)
                for line, amount, shared in zip(self.lines, amounts, self._shared())
                if line.vat_rate is not None
            ],
            self.prices_include_vat,
        )
        stated = self.totals.vat
        violations = self._stated_vat_violations(stated, computed) if stated is not None else []
        vat_total = sum(entry.vat for entry in (stated or computed))
        if not violations and self.totals.tax != vat_total:
            violations.append(
                Violation("totals.tax", "tax_mismatch", f"tax must equal the sum of the VAT per rate ({vat_total})")
            )
        return computed, violations

    def _stated_vat_violations(self, stated: list[VatTotal], computed: list[RateTotal]) -> list[Violation]:
        """How a stated breakdown disagrees with the one the lines give: its rates, each
        entry's own sum, its base (gross where prices include VAT, else net) and its VAT."""
        by_rate = {entry.rate: entry for entry in computed}
        violations = []
        if sorted(entry.rate for entry in stated) != sorted(by_rate):
            violations.append(
                Violation("totals.vat", "vat_rates_mismatch", "one entry per rate the lines use, and no other")
            )
        for index, entry in enumerate(stated):
            own = by_rate.get(entry.rate)
            if entry.net + entry.vat != entry.gross:
                violations.append(Violation(f"totals.vat[{index}]", "vat_entry_mismatch", "net + vat must equal gross"))
            elif own is not None:
                base = ("gross", entry.gross, own.gross) if self.prices_include_vat else ("net", entry.net, own.net)
                if base[1] != base[2]:
                    violations.append(
                        Violation(
                            f"totals.vat[{index}].{base[0]}",
                            "vat_base_mismatch",
                            f"{base[0]} must equal the sum of the lines at {entry.rate} %"
                            + (" less their shares of the receipt's discounts" if self.discounts else ""),
                        )
                    )
                elif abs(entry.vat - own.vat) > own.lines:
                    violations.append(
                        Violation(
                            f"totals.vat[{index}].vat",
                            "vat_mismatch",
                            f"vat must be {entry.rate} % of the lines at that rate (within 1 minor unit per line)",
                        )
                    )
        return violations

    def _total_violations(self) -> list[Violation]:
        totals = self.totals
        tax = 0 if self.prices_include_vat else totals.tax
        if totals.total == totals.subtotal + tax + totals.tip + totals.rounding:
            return []
        terms = [
            "subtotal",
            *(() if self.prices_include_vat else ("tax",)),
            "tip",
            *(("rounding",) if totals.rounding else ()),
        ]
        return [
            Violation(
                "totals.total",
                "total_mismatch",
                f"total must equal {' + '.join(terms)}"
                + (" when prices include VAT" if self.prices_include_vat else ""),
            )
        ]

    def _fiscal_violations(self, vat: list[RateTotal] | None) -> list[Violation]:
        """A Kassenbeleg-V1 signs the gross per rate: it must be the receipt's (SPEC §12)."""
        if self.fiscal is None or self.fiscal.process_type != "Kassenbeleg-V1":
            return []
        signed = self.fiscal.signed_gross()
        if signed is None:
            return [
                Violation(
                    "fiscal.process_data",
                    "fiscal_mismatch",
                    "a Kassenbeleg-V1 signs Beleg^<gross at 19 %>_<7 %>_<10.7 %>_<5.5 %>_<0 %>^<payments>",
                )
            ]
        receipts = {entry.rate: entry.gross for entry in vat or ()}
        if vat is None:  # no rates on the lines: only the sum can be compared
            matches = sum(signed.values()) == self.totals.total
        else:
            matches = set(receipts) <= set(signed) and all(signed[rate] == receipts.get(rate, 0) for rate in signed)
        if matches:
            return []
        return [
            Violation(
                "fiscal.process_data",
                "fiscal_mismatch",
                "the gross amounts per rate the TSE signed differ from the receipt's",
            )
        ]

    def _tender_violations(self) -> list[Violation]:
        violations = []
        for index, tender in enumerate(self.payments):
            if not isinstance(tender, CardPaymentLine):
                continue
            if tender.masked_pan is None and (tender.rrn is None or tender.terminal_id is None):
                violations.append(
                    Violation(
                        f"payments[{index}]",
                        "card_data_missing",
                        "a card line needs masked_pan (as the slip prints it), or rrn and terminal_id",
                    )
                )
            if tender.currency != self.currency:
                violations.append(
                    Violation(
                        f"payments[{index}].currency",
                        "payment_currency_mismatch",
                        "every payment must be in the receipt's currency",
                    )
                )
        if not self.card_lines:
            violations.append(
                Violation("payments", "no_card_payment", "a receipt needs at least one card payment line")
            )
        cashback = sum(line.cashback or 0 for line in self.card_lines)
        if sum(tender.amount for tender in self.payments) != self.totals.total + cashback:
            violations.append(
                Violation(
                    "payments",
                    "payments_total_mismatch",
                    "the payments' amounts must add up to the total (and the cashback paid out, if any)",
                )
            )
        return violations
