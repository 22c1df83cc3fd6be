"""A merchant's itemised receipt and the rules it must keep (SPEC §4, §12)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, Discriminator, Field, Tag

from shared.domain.base import UNION_TAGS, RequestModel, Text
from shared.domain.cards import AuthCode, LocalTime, PrintedPan, Rrn, TerminalId
from shared.domain.errors import ValidationFailed, Violation
from shared.domain.money import Amount, Currency, Integer, PositiveAmount, Total
from shared.domain.parties import Address
from shared.domain.vat import VatRate, breakdown


class Discount(RequestModel):
    """A reduction printed under a line (a campaign, a member price)."""

    description: Text(200)
    amount: PositiveAmount


class ReceiptLine(RequestModel):
    later_fields = frozenset({"vat_rate", "discounts"})

    description: Text(200)
    sku: Text(64) | None = None
    quantity: Integer(1, 1_000_000)
    # Both or neither: a till may list an item without its price (ARTS DR does), and then
    # no line of the receipt has one and its totals stand for them.
    unit_price: Amount | None
    amount: Amount | None  # quantity × unit_price − the discounts
    vat_rate: VatRate | None = None
    discounts: list[Discount] = Field(default_factory=list, max_length=20)


class VatTotal(RequestModel):
    """One rate's part of the receipt: net + vat == gross (minor units)."""

    rate: VatRate
    net: Total
    vat: Total
    gross: Total


class Totals(RequestModel):
    later_fields = frozenset({"vat"})

    subtotal: Total
    tax: Total
    tip: Total
    total: Total
    vat: list[VatTotal] | None = Field(None, min_length=1, max_length=10)


class CardPaymentLine(RequestModel):
    """The EMV data printed on the card slip: what a bank's payment is matched on (SPEC §12).

    A slip shows the card number (first 6 and last 4 digits, or the last 4 only), or no
    digits at all but the acquirer's reference: rrn and terminal_id (DE37, DE41) then
    identify the transaction."""

    masked_pan: PrintedPan | None = None
    auth_code: AuthCode | None = None  # not every slip prints one (offline, some contactless)
    amount: PositiveAmount
    currency: Currency
    transaction_date: date
    transaction_time: LocalTime
    terminal_id: TerminalId | None = None
    rrn: Rrn | None = None
    scheme: Text(20) | None = None


class OtherTender(RequestModel):
    """A tender beside the card (split tender): never matched, counted toward the total."""

    type: Literal["cash", "gift_card", "voucher", "other"]
    amount: PositiveAmount


def _tender_kind(value) -> str | None:
    """A payment line with a type is another tender; without, a card line (None: not an
    object at all, which pydantic then refuses)."""
    if isinstance(value, dict):
        return "other" if "type" in value else "card"
    return {OtherTender: "other", CardPaymentLine: "card"}.get(type(value))


UNION_TAGS.update({"card", "other"})
Tender = Annotated[
    Annotated[CardPaymentLine, Tag("card")] | Annotated[OtherTender, Tag("other")],
    Discriminator(_tender_kind),
]


class Fiscal(RequestModel):
    """What the till's security module (TSE) signed, as Germany's KassenSichV asks (SPEC §12);
    the receipt page prints it as the DSFinV-K QR code."""

    client_id: Text(64)  # the till's serial
    tse_serial: Text(128)
    transaction_number: Integer(1, 10**15)
    signature_counter: Integer(1, 10**15)
    start_time: Text(40)
    end_time: Text(40)
    process_type: Text(40)  # Kassenbeleg-V1 for a receipt
    process_data: Text(1000)  # Beleg^<gross at 19 %>_<7 %>_<10.7 %>_<5.5 %>_<0 %>^<payments>
    signature_algorithm: Text(64)
    time_format: Text(40)
    signature: Text(1024)
    public_key: Text(1024)

    def qr_code(self) -> str:
        """The DSFinV-K receipt QR code's text."""
        return "V0;" + ";".join(str(value) for value in (
            self.client_id, self.process_type, self.process_data, self.transaction_number, self.signature_counter,
            self.start_time, self.end_time, self.signature_algorithm, self.time_format, self.signature,
            self.public_key))

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

    id: Text(64)
    name: Text(200)
    address: Address | None = None


class ReceiptSubmission(RequestModel):
    later_fields = frozenset({"prices_include_vat", "store", "fiscal"})

    merchant_receipt_id: Text(64)
    issued_at: AwareDatetime
    currency: Currency
    store: Store | None = None
    # true: gross prices, VAT included (EU retail); false: net prices, tax added (US sales tax).
    prices_include_vat: bool = False
    lines: list[ReceiptLine] = Field(min_length=1, max_length=500)
    totals: Totals
    payments: list[Tender] = Field(min_length=1, max_length=10)
    # A refund receipt names the platform id of the merchant's receipt it refunds; its card
    # lines match the bank's refund payments.
    refund_of: uuid.UUID | None = None
    fiscal: Fiscal | None = None

    @property
    def card_lines(self) -> list[CardPaymentLine]:
        return [tender for tender in self.payments if isinstance(tender, CardPaymentLine)]

    def check(self) -> ReceiptSubmission:
        """The receipt with its VAT per rate filled in where the lines give it; raise
        ValidationFailed listing every arithmetic rule it breaks."""
        violations = self._line_violations()
        priced = all(line.amount is not None for line in self.lines)
        if priced and self.totals.subtotal != sum(line.amount for line in self.lines):
            violations.append(
                Violation("totals.subtotal", "subtotal_mismatch", "subtotal must equal the sum of the line amounts")
            )
        vat, vat_violations = self._vat()
        violations += vat_violations
        tax_in_total = 0 if self.prices_include_vat else self.totals.tax
        if self.totals.total != self.totals.subtotal + tax_in_total + self.totals.tip:
            violations.append(
                Violation("totals.total", "total_mismatch", "total must equal subtotal + tip when prices include VAT"
                          if self.prices_include_vat else "total must equal subtotal + tax + tip")
            )
        violations += self._tender_violations()
        violations += self._fiscal_violations(vat)
        if violations:
            raise ValidationFailed("the receipt breaks the rules listed in details", violations)
        if vat is None or self.totals.vat is not None:
            return self
        return self.model_copy(update={"totals": self.totals.model_copy(update={
            "vat": [VatTotal.model_validate(entry.entry()) for entry in vat]})})

    def _line_violations(self) -> list[Violation]:
        violations = []
        unpriced = [line.amount is None or line.unit_price is None for line in self.lines]
        if any(unpriced):
            if all(line.amount is None and line.unit_price is None and not line.discounts for line in self.lines):
                return []
            return [Violation(f"lines[{index}]", "line_price_missing", "every line needs unit_price and amount once"
                              " any line has one (a receipt whose till prints no prices gives neither, nor discounts)")
                    for index, line in enumerate(self.lines) if unpriced[index] or line.discounts]
        for index, line in enumerate(self.lines):
            discounted = sum(discount.amount for discount in line.discounts)
            if discounted > line.quantity * line.unit_price:
                violations.append(Violation(f"lines[{index}].discounts", "discount_exceeds_price",
                                            "the discounts may not exceed quantity × unit_price"))
            elif line.amount != line.quantity * line.unit_price - discounted:
                violations.append(Violation(f"lines[{index}].amount", "line_amount_mismatch",
                                            "amount must equal quantity × unit_price − the line's discounts"
                                            if line.discounts else "amount must equal quantity × unit_price"))
        return violations

    def _vat(self):
        """The breakdown per rate the lines give (None for a receipt without rates), and how
        a stated breakdown or tax disagrees with it (SPEC §12)."""
        rated = [line.vat_rate is not None for line in self.lines]
        if not any(rated):
            if self.totals.vat is not None:
                return None, [Violation("totals.vat", "vat_rate_missing",
                                        "a VAT breakdown needs every line's vat_rate")]
            return None, []
        if any(line.amount is None for line in self.lines):
            return None, [Violation("lines", "vat_rate_without_price", "VAT per rate needs the lines' amounts")]
        if not all(rated):
            return None, [Violation(f"lines[{index}].vat_rate", "vat_rate_missing",
                                    "every line needs its vat_rate once any line has one")
                          for index, has_rate in enumerate(rated) if not has_rate]
        computed = breakdown([(line.vat_rate, line.amount) for line in self.lines], self.prices_include_vat)
        violations = []
        stated = self.totals.vat
        if stated is not None:
            by_rate = {entry.rate: entry for entry in computed}
            if sorted(entry.rate for entry in stated) != sorted(by_rate):
                violations.append(Violation("totals.vat", "vat_rates_mismatch",
                                            "one entry per rate the lines use, and no other"))
            for index, entry in enumerate(stated):
                own = by_rate.get(entry.rate)
                if entry.net + entry.vat != entry.gross:
                    violations.append(Violation(f"totals.vat[{index}]", "vat_entry_mismatch", "net + vat must equal gross"))
                elif own is not None:
                    base = ("gross", entry.gross, own.gross) if self.prices_include_vat else ("net", entry.net, own.net)
                    if base[1] != base[2]:
                        violations.append(Violation(f"totals.vat[{index}].{base[0]}", "vat_base_mismatch",
                                                    f"{base[0]} must equal the sum of the lines at {entry.rate} %"))
                    elif abs(entry.vat - own.vat) > own.lines:
                        violations.append(Violation(f"totals.vat[{index}].vat", "vat_mismatch",
                                                    f"vat must be {entry.rate} % of the lines at that rate"
                                                    " (within 1 minor unit per line)"))
        vat_total = sum(entry.vat for entry in (stated or computed))
        if not violations and self.totals.tax != vat_total:
            violations.append(Violation("totals.tax", "tax_mismatch", "tax must equal the sum of the VAT per rate"
                                        f" ({vat_total})"))
        return computed, violations

    def _fiscal_violations(self, vat) -> list[Violation]:
        """A Kassenbeleg-V1 signs the gross per rate: it must be the receipt's (SPEC §12)."""
        if self.fiscal is None or self.fiscal.process_type != "Kassenbeleg-V1":
            return []
        signed = self.fiscal.signed_gross()
        if signed is None:
            return [Violation("fiscal.process_data", "fiscal_mismatch",
                              "a Kassenbeleg-V1 signs Beleg^<gross at 19 %>_<7 %>_<10.7 %>_<5.5 %>_<0 %>^<payments>")]
        receipts = {entry.rate: entry.gross for entry in vat or ()}
        if vat is None:  # no rates on the lines: only the sum can be compared
            matches = sum(signed.values()) == self.totals.total
        else:
            matches = set(receipts) <= set(signed) and all(signed[rate] == receipts.get(rate, 0) for rate in signed)
        if matches:
            return []
        return [Violation("fiscal.process_data", "fiscal_mismatch",
                          "the gross amounts per rate the TSE signed differ from the receipt's")]

    def _tender_violations(self) -> list[Violation]:
        violations = []
        for index, tender in enumerate(self.payments):
            if not isinstance(tender, CardPaymentLine):
                continue
            if tender.masked_pan is None and (tender.rrn is None or tender.terminal_id is None):
                violations.append(Violation(f"payments[{index}]", "card_data_missing",
                                            "a card line needs masked_pan (as the slip prints it), or rrn and terminal_id"))
            if tender.currency != self.currency:
                violations.append(Violation(f"payments[{index}].currency", "payment_currency_mismatch",
                                            "every payment must be in the receipt's currency"))
        if not self.card_lines:
            violations.append(Violation("payments", "no_card_payment", "a receipt needs at least one card payment line"))
        if sum(tender.amount for tender in self.payments) != self.totals.total:
            violations.append(Violation("payments", "payments_total_mismatch",
                                        "the payments' amounts must add up to the total"))
        return violations
