"""The labelled scenario set of reconciliation: what real card data looks like,
and which receipt each payment truly belongs to.

Each scenario has its own card, so scenarios never compete with each other. Items are
named; a card line or payment differs from the scenario's base only where it says so.
A card line's `slip` says how the slip shows the card: `last4` (the last 4 digits
only) or `reference` (no digits: RRN and terminal id); a payment's `card: "same_last4"`
is another card that ends in the same 4 digits. Paid with a phone, the slip prints the
wallet token's digits (`slip`: `token`, or `token_last4`); a payment names the scenario's
token (`token: "same"`) or another account's token with the same BIN and last 4 digits
(`"same_digits"`); `par` names one of the scenario's PARs (`"A"`, `"B"`). `matches`
labels the truth: payment → (receipt, rule). A payment not listed there belongs to no
receipt on offer, and must stay unmatched. `ambiguous` lists the items that must be
reported ambiguous. `reversals` are the issuer's, in full (None) or of a part, sent before
the first run, as a receipt arriving after its payment's reversal finds it; `clearings`
are final amounts sent after a first run, followed by a second.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scenario:
    label: str
    receipts: dict[str, dict]  # name -> overrides of the card line (and refund_of, issued_at)
    payments: dict[str, dict]  # name -> overrides of the payment
    matches: dict[str, tuple[str, str]] = field(default_factory=dict)  # payment -> (receipt, rule)
    ambiguous: tuple[str, ...] = ()
    clearings: tuple[tuple[str, int], ...] = ()  # (payment, final amount)
    reversals: tuple[tuple[str, int | None], ...] = ()  # (payment, part reversed; None: all of it)


BASE_DATE = "2026-11-20"
BASE_AMOUNT = 1000


def day(offset: int) -> str:
    return f"2026-11-{20 + offset:02d}"


# A Swede's card charged in kronor at the till, for a receipt of BASE_AMOUNT euro cents.
DCC = {"currency": "SEK", "amount": 11616, "exchange_rate": "11.6161", "markup_percent": "3.5"}


SCENARIOS = [
    Scenario("exact", {"r": {}}, {"p": {}}, {"p": ("r", "exact")}),
    Scenario(
        "the bank posts the next day", {"r": {}}, {"p": {"transaction_date": day(1)}}, {"p": ("r", "date_window")}
    ),
    Scenario(
        "the bank posts the day before (time zone)",
        {"r": {}},
        {"p": {"transaction_date": day(-1)}},
        {"p": ("r", "date_window")},
    ),
    Scenario(
        "the bank posts two days later", {"r": {}}, {"p": {"transaction_date": day(2)}}, {"p": ("r", "date_window")}
    ),
    Scenario("three days apart is too far", {"r": {}}, {"p": {"transaction_date": day(3)}}),
    Scenario(
        "a sale at 23:58 posted after midnight",
        {"r": {"transaction_time": "23:58:30", "issued_at": f"{BASE_DATE}T23:59:00+01:00"}},
        {"p": {"transaction_date": day(1), "transaction_time": "00:03:10"}},
        {"p": ("r", "date_window")},
    ),
    Scenario("a tip of 15 % added on the slip", {"r": {}}, {"p": {"amount": 1150}}, {"p": ("r", "tip")}),
    Scenario("a tip of exactly 25 %", {"r": {}}, {"p": {"amount": 1250}}, {"p": ("r", "tip")}),
    Scenario("a tip over 25 % is not a tip", {"r": {}}, {"p": {"amount": 1260}}),
    Scenario("a payment below the receipt", {"r": {}}, {"p": {"amount": 900}}),
    Scenario("no auth code on the slip", {"r": {"auth_code": None}}, {"p": {}}, {"p": ("r", "no_auth_code")}),
    Scenario(
        "another auth code, same terminal and RRN",
        {"r": {"auth_code": "ZZ9999"}},
        {"p": {}},
        {"p": ("r", "no_auth_code")},
    ),
    Scenario("another auth code and another RRN", {"r": {"auth_code": "ZZ9999", "rrn": "999999999999"}}, {"p": {}}),
    Scenario("another card", {"r": {}}, {"p": {"other_card": True}}),
    Scenario(
        "two receipts with the same card data, one payment",
        {"r1": {}, "r2": {}},
        {"p": {}},
        ambiguous=("r1", "r2", "p"),
    ),
    Scenario(
        "two payments a day either side of one receipt",
        {"r": {}},
        {"p1": {"transaction_date": day(1)}, "p2": {"transaction_date": day(-1)}},
        ambiguous=("r", "p1", "p2"),
    ),
    Scenario(
        "a refund matches the refund receipt, not the sale",
        {"sale": {}, "refund": {"refund_of": "sale", "amount": 300, "rrn": "600000000301"}},
        {"p_sale": {}, "p_refund": {"kind": "refund", "amount": 300, "rrn": "600000000301"}},
        {"p_sale": ("sale", "exact"), "p_refund": ("refund", "exact")},
    ),
    Scenario(
        "a refund payment never matches a sale", {"sale": {"amount": 300}}, {"p": {"kind": "refund", "amount": 300}}
    ),
    Scenario(
        "clearing raises the amount within the tip share: the match stays",
        {"r": {}},
        {"p": {}},
        {"p": ("r", "exact")},
        clearings=(("p", 1100),),
    ),
    Scenario(
        "clearing moves the payment to the receipt of its final amount",
        {"r1": {}, "r2": {"amount": 2000, "rrn": "600000002000"}},
        {"p": {}},
        {"p": ("r2", "exact")},
        clearings=(("p", 2000),),
    ),
    # Card data as slips print it (SPEC §12): the less a slip shows, the more look-alikes fit.
    Scenario("the slip shows the last 4 digits only", {"r": {"slip": "last4"}}, {"p": {}}, {"p": ("r", "exact")}),
    Scenario(
        "a last-4 slip, and another card ending in the same 4 digits",
        {"r": {"slip": "last4"}},
        {"p1": {}, "p2": {"card": "same_last4"}},
        ambiguous=("r", "p1", "p2"),
    ),
    Scenario(
        "a last-4 slip tells two cards ending alike apart by its RRN",
        {"r": {"slip": "last4"}},
        {"p1": {}, "p2": {"card": "same_last4", "rrn": "600000000777"}},
        {"p1": ("r", "exact")},
    ),
    Scenario("a full slip is never another card ending in the same 4 digits", {"r": {}}, {"p": {"card": "same_last4"}}),
    Scenario("a last-4 slip with a tip", {"r": {"slip": "last4"}}, {"p": {"amount": 1100}}, {"p": ("r", "tip")}),
    Scenario(
        "a last-4 slip posted the next day",
        {"r": {"slip": "last4"}},
        {"p": {"transaction_date": day(1)}},
        {"p": ("r", "date_window")},
    ),
    Scenario(
        "no card digits: the acquirer's reference", {"r": {"slip": "reference"}}, {"p": {}}, {"p": ("r", "exact")}
    ),
    Scenario(
        "no card digits and no auth code",
        {"r": {"slip": "reference", "auth_code": None}},
        {"p": {}},
        {"p": ("r", "no_auth_code")},
    ),
    Scenario("no card digits and another reference", {"r": {"slip": "reference", "rrn": "600000000888"}}, {"p": {}}),
    Scenario(
        "two slips with no card digits and the same reference",
        {"r1": {"slip": "reference"}, "r2": {"slip": "reference"}},
        {"p": {}},
        ambiguous=("r1", "r2", "p"),
    ),
    Scenario(
        "a full slip and a slip with no digits both fit one payment",
        {"r1": {}, "r2": {"slip": "reference"}},
        {"p": {}},
        ambiguous=("r1", "r2", "p"),
    ),
    # Payments as the card networks carry them (SPEC §14).
    Scenario(
        "a wallet slip prints the token's digits",
        {"r": {"slip": "token"}},
        {"p": {"token": "same"}},
        {"p": ("r", "exact")},
    ),
    Scenario(
        "a wallet slip gives the account's PAR",
        {"r": {"slip": "token_last4", "par": "A"}},
        {"p": {"token": "same", "par": "A"}},
        {"p": ("r", "exact")},
    ),
    Scenario(
        "another account's token ends alike: its PAR rules it out",
        {"r": {"slip": "token_last4", "par": "A"}},
        {"p1": {"token": "same", "par": "A"}, "p2": {"other_card": True, "token": "same_digits", "par": "B"}},
        {"p1": ("r", "exact")},
    ),
    Scenario(
        "another account's token ends alike and the slip gives no PAR",
        {"r": {"slip": "token_last4"}},
        {"p1": {"token": "same", "par": "A"}, "p2": {"other_card": True, "token": "same_digits", "par": "B"}},
        ambiguous=("r", "p1", "p2"),
    ),
    Scenario(
        "one PAR, two payments alike: the auth code tells them apart",
        {"r": {"slip": "token", "par": "A"}},
        {
            "p1": {"token": "same", "par": "A"},
            "p2": {"token": "same", "par": "A", "auth_code": "AUTH02", "rrn": "600000000555"},
        },
        {"p1": ("r", "exact")},
    ),
    Scenario(
        "one PAR, two payments a slip with neither auth code nor RRN cannot tell apart",
        {"r": {"slip": "token_last4", "par": "A", "auth_code": None, "rrn": None}},
        {
            "p1": {"token": "same", "par": "A"},
            "p2": {"token": "same", "par": "A", "auth_code": "AUTH02", "rrn": "600000000556"},
        },
        ambiguous=("r", "p1", "p2"),
    ),
    Scenario(
        "a PAR on the slip, another on the payment, whatever the digits",
        {"r": {"par": "A"}},
        {"p": {"par": "B"}},
    ),
    Scenario(
        "cashback inside the card's amount",
        {"r": {"amount": 3000, "cashback": 2000}},
        {"p": {"amount": 3000, "cashback_amount": 2000}},
        {"p": ("r", "exact")},
    ),
    Scenario(
        "cashback and a tip of 15 % on the purchase",
        {"r": {"amount": 3000, "cashback": 2000}},
        {"p": {"amount": 3150, "cashback_amount": 2000}},
        {"p": ("r", "tip")},
    ),
    Scenario(
        "DCC posted two days later",
        {"r": {"dcc": DCC}},
        {"p": {"amount": DCC["amount"], "currency": "SEK", "transaction_date": day(2)}},
        {"p": ("r", "date_window")},
    ),
    Scenario(
        "DCC posted two days earlier",
        {"r": {"dcc": DCC}},
        {"p": {"amount": DCC["amount"], "currency": "SEK", "transaction_date": day(-2)}},
        {"p": ("r", "date_window")},
    ),
    Scenario("DCC: a charge in the receipt's own currency is not this card line", {"r": {"dcc": DCC}}, {"p": {}}),
    Scenario(
        "a receipt that arrives after its payment was reversed stays unmatched",
        {"r": {}},
        {"p": {}},
        reversals=(("p", None),),
    ),
    Scenario(
        "a partial reversal brings the payment to its receipt's amount",
        {"r": {}},
        {"p": {"amount": 1300}},
        {"p": ("r", "exact")},
        reversals=(("p", 300),),
    ),
]
