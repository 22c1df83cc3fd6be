"""The corpus of real-world variants of the formats' owners' examples (tests/formats/variants,
described in its README): what each document is taken with, or the one reason it is
refused for, and the card payment each belongs to as its bank reports it."""

from __future__ import annotations

from dataclasses import dataclass

from tests.conftest import ROOT

EXAMPLES = ROOT / "tests" / "formats"
# An ARTS document's paths, from its retail transaction on.
RETAIL = "/nam:DigitalReceipt/nam:Transaction/nam:RetailTransaction"


@dataclass(frozen=True)
class Payment:
    """What the issuer knows of the card payment: the card's last 4 digits (the bank sends
    the whole number), approval code, RRN, terminal (DE41) and amount charged, its day and time."""

    last4: str
    auth_code: str
    rrn: str
    terminal_id: str
    amount: int
    day: str
    time: str
    kind: str = "purchase"

    def body(self, pan: str, day: str) -> dict:
        return {
            "pan": pan,
            "auth_code": self.auth_code,
            "rrn": self.rrn,
            "terminal_id": self.terminal_id,
            "amount": self.amount,
            "currency": "SEK",
            "transaction_date": day,
            "transaction_time": self.time,
            "merchant_name": "Sample Store",
            "kind": self.kind,
        }


@dataclass(frozen=True)
class Document:
    path: str  # under tests/formats
    payment: Payment | None  # None: refused
    warnings: tuple[tuple[str, str], ...] = ()  # (path, code), as the answer lists them
    refused: tuple[str, str] | None = None  # (field, code): the one detail of the 422

    @property
    def kind(self) -> str:
        return "kivra" if self.path.endswith(".json") else "arts"

    def body(self) -> bytes:
        return (EXAMPLES / self.path).read_bytes()


def _kivra(number: int, amount: int, time: str, day: str = "2018-11-09", kind: str = "purchase") -> Payment:
    return Payment(
        f"41{number:02d}",
        f"41{number:02d}{number:02d}",
        f"00041{number:02d}{number:02d}0{number:02d}",
        "73200801",
        amount,
        day,
        time,
        kind,
    )


def _arts(
    number: int, amount: int, time: str, day: str = "2017-12-02", kind: str = "purchase", terminal_id: str = "50201912"
) -> Payment:
    return Payment(
        f"51{number:02d}",
        f"51{number:02d}{number:02d}",
        f"00051{number:02d}{number:02d}0{number:02d}",
        terminal_id,
        amount,
        day,
        time,
        kind,
    )


# The owners' own examples: the two paid by card, and those paid otherwise.
OWNERS = [
    Document(
        "kivra/examples/sale-receipt-card-payment.json",
        Payment("3602", "025965", "000295749077", "73200801", 48800, "2018-11-09", "11:07:00"),
    ),
    # The slip the ARTS example attaches prints what its card fields leave out ("K/1 7 000 SWE 784547").
    Document(
        "arts/examples/swe-standard-dr-sale-min-with-image-attachment.xml",
        Payment("1380", "784547", "501009148370", "50201912", 3500, "2018-01-08", "08:57:22"),
    ),
    Document("kivra/examples/min-sale-receipt-cash-payment-rpm.json", None, refused=("/payments", "no_card_payment")),
    Document("kivra/examples/min-return-receipt-cash-payment.json", None, refused=("/payments", "no_card_payment")),
    Document("arts/examples/swe-standard-dr-sale.xml", None, refused=(RETAIL, "no_card_payment")),
    Document("arts/examples/swe-standard-dr-return.xml", None, refused=(RETAIL, "no_card_payment")),
]

VARIANTS = [
    Document("variants/kivra-deposits.json", _kivra(1, 4600, "11:07:00")),
    Document(
        "variants/kivra-rpm-paid-by-card.json",
        _kivra(2, 4600, "08:49:00"),
        warnings=(("/totals/1/sub_totals/0", "vat_base_mismatch"),),
    ),
    Document("variants/kivra-cash-rounding-total.json", _kivra(3, 10000, "12:15:00")),
    Document("variants/kivra-weighed-goods.json", _kivra(4, 5740, "09:30:00")),
    Document(
        "variants/kivra-vat-per-line-five-decimals.json",
        _kivra(5, 11625, "17:45:00"),
        warnings=(("/totals/1/sub_totals/0/amount", "amount_precision"),),
    ),
    Document("variants/kivra-vat-on-rate-totals.json", _kivra(6, 475, "15:20:00")),
    Document(
        "variants/kivra-misprinted-unit-price.json",
        _kivra(7, 48800, "11:07:00"),
        warnings=(("/items/0/extended_amount", "line_amount_mismatch"),),
    ),
    Document("variants/kivra-card-data-on-slip-only.json", _kivra(8, 48800, "11:07:00")),
    Document("variants/kivra-gift-card-and-card.json", _kivra(9, 38800, "11:07:00")),
    Document("variants/kivra-loyalty-points-only.json", None, refused=("/payments", "no_card_payment")),
    Document(
        "variants/kivra-return-unknown-original.json",
        _kivra(11, 35000, "11:19:00", "2018-12-09", "refund"),
        warnings=(("/items/0/receipt_reference", "original_unknown"),),
    ),
    Document("variants/kivra-receipt-discount.json", _kivra(12, 43920, "11:07:00")),
    Document("variants/arts-deposits.xml", _arts(1, 5870, "11:49:00")),
    Document("variants/arts-cash-rounding-line.xml", _arts(2, 10000, "12:15:00")),
    Document(
        "variants/arts-sale-example-paid-by-card.xml",
        _arts(3, 50300, "11:49:00"),
        warnings=((f"{RETAIL}/nam:LineItem[5]", "vat_base_mismatch"), (f"{RETAIL}/nam:Total[2]", "total_mismatch")),
    ),
    Document("variants/arts-weighed-goods.xml", _arts(4, 5740, "09:30:00")),
    Document(
        "variants/arts-vat-per-line-five-decimals.xml",
        _arts(5, 11625, "17:45:00"),
        warnings=(
            (f"{RETAIL}/nam:LineItem[6]/nam:Tax/nam:TaxableAmount", "amount_precision"),
            (f"{RETAIL}/nam:LineItem[6]/nam:Tax/nam:Amount", "amount_precision"),
        ),
    ),
    Document(
        "variants/arts-misprinted-unit-price.xml",
        _arts(6, 44400, "15:20:00"),
        warnings=((f"{RETAIL}/nam:LineItem[1]/nam:Sale/nam:ExtendedAmount", "line_amount_mismatch"),),
    ),
    # The terminal prints its own serial (27605R101-154734), not the DE41 the issuer sees.
    Document("variants/arts-card-data-on-terminal-lines.xml", _arts(7, 4900, "13:02:00", terminal_id="27605101")),
    Document("variants/arts-gift-card-and-card.xml", _arts(8, 9500, "16:40:00")),
    Document("variants/arts-loyalty-points-only.xml", None, refused=(RETAIL, "no_card_payment")),
    Document(
        "variants/arts-return-unknown-original.xml",
        _arts(10, 4900, "21:52:33", "2017-12-05", "refund"),
        warnings=((f"{RETAIL}/nam:TransactionLink/nam:TransactionID", "original_unknown"),),
    ),
    Document("variants/arts-receipt-discount.xml", _arts(11, 4000, "14:05:00")),
]
