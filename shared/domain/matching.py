"""Matching: which bank payment a receipt's card line belongs to, as plain rules.

This module is the reference. The write model runs the same rules set-based in SQL
(shared.write.matching, one statement per rule), and tests/integration/test_matching_model.py
checks on random populations that the SQL decides exactly what decide() does.

A card line is one card payment a receipt's slip prints, with the card data it shows:
the BIN and last 4 digits, the last 4 only, or no digits (a wallet's slip prints its
token's digits), and the account's PAR where the terminal gave it. A payment is what the
issuer saw: the card's BIN and last 4 always, an auth code, the terminal and the
acquirer's reference; a wallet's token and the account's PAR where the network gave them.

- **Open**: a line not yet claimed, of a receipt that is unmatched or ambiguous; a payment
  that is unmatched or ambiguous. Only open items are candidates.
- **Candidates**: a line and a payment fit under a rule when they are of the same card
  (card_key names what shows it), currency and kind (purchase or refund), the rule's own
  test holds, and the operator never unlinked that payment from that receipt. The money
  compared is what the card was charged: a line's converted amount where the cardholder
  chose their own currency (DCC); cashback is inside both sides' amounts.
- **Claimed**: a pair is matched when each is the other's only candidate and neither item
  is ambiguous already.
- **Look-alikes**: every item of a pair with more than one candidate on either side is
  ambiguous, in a set named by look_alike_set(); ambiguous items are never claimed but stay
  candidates, so a newcomer that would compete with one is ambiguous too. Nothing is guessed.
- **The cascade**: a sweep tries RULES in order over what is still open; the event path
  tries EXACT for the pairs that involve the items just submitted.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

Status = Literal["unmatched", "matched", "ambiguous", "expired", "voided", "reversed"]

EXACT = "exact"
DATE_WINDOW = "date_window"
TIP = "tip"
NO_AUTH_CODE = "no_auth_code"
# The automatic cascade, in the order it is tried.
RULES = (EXACT, DATE_WINDOW, TIP, NO_AUTH_CODE)
# The operator's match: never made automatically.
MANUAL = "manual"

# What established that a line and a payment are of one card (card_key), recorded beside
# the rule of each match.
CardKey = Literal["pan", "token", "par", "reference"]
PAN: CardKey = "pan"
TOKEN: CardKey = "token"
PAR: CardKey = "par"
REFERENCE: CardKey = "reference"
CARD_KEYS: tuple[CardKey, ...] = (PAN, TOKEN, PAR, REFERENCE)

# How far apart the slip's and the bank's transaction dates may be under DATE_WINDOW.
DATE_WINDOW_DAYS = 2


@dataclass(frozen=True)
class CardLine:
    """A receipt's card-payment line, as its slip prints it (None: not printed). currency
    and amount are what the card was charged: the DCC amount where there is one."""

    receipt_id: uuid.UUID
    line_no: int
    kind: Literal["purchase", "refund"]
    currency: str
    amount: int
    transaction_date: date
    pan_bin: str | None
    pan_last4: str | None
    auth_code: str | None
    terminal_id: str | None
    rrn: str | None
    par: str | None = None

    @property
    def key(self) -> tuple[uuid.UUID, int]:
        return self.receipt_id, self.line_no


@dataclass(frozen=True)
class CardPayment:
    """An issuer's payment: the card's BIN and last 4, its auth code and reference, always;
    the wallet token's BIN and last 4 and the account's PAR where the network gave them."""

    id: uuid.UUID
    kind: Literal["purchase", "refund"]
    currency: str
    amount: int
    transaction_date: date
    pan_bin: str
    pan_last4: str
    auth_code: str
    terminal_id: str
    rrn: str
    token_bin: str | None = None
    token_last4: str | None = None
    par: str | None = None


def _equal(printed: str | None, known: str | None) -> bool:
    """Equal, and printed: a value the slip does not show equals nothing (SQL's =)."""
    return printed is not None and printed == known


def _agrees(printed: str | None, known: str | None) -> bool:
    """Equal wherever the slip prints it."""
    return printed is None or printed == known


def _digits_fit(line: CardLine, pan_bin: str | None, pan_last4: str | None, payment: CardPayment) -> bool:
    """Whether the slip's digits are these: the last 4 equal, and the BIN where the slip
    shows it; where it shows the last 4 only, the RRN and terminal id agree wherever it
    prints them."""
    if line.pan_last4 is None or line.pan_last4 != pan_last4:
        return False
    if line.pan_bin is not None:
        return line.pan_bin == pan_bin
    return _agrees(line.rrn, payment.rrn) and _agrees(line.terminal_id, payment.terminal_id)


def card_key(line: CardLine, payment: CardPayment) -> CardKey | None:
    """What shows that the slip and the payment are of one card, on what both sides carry;
    None when nothing does.

    Where both carry a PAR, it decides: equal, the same account (PAR); unequal, another one,
    whatever the digits. Otherwise the slip's digits are the card's (PAN) or the wallet
    token's (TOKEN); a slip with no digits names the card by the acquirer's reference, RRN
    and terminal id (REFERENCE).
    """
    if line.par is not None and payment.par is not None:
        return PAR if line.par == payment.par else None
    if line.pan_last4 is None:
        by_reference = _equal(line.rrn, payment.rrn) and _equal(line.terminal_id, payment.terminal_id)
        return REFERENCE if by_reference else None
    if _digits_fit(line, payment.pan_bin, payment.pan_last4, payment):
        return PAN
    if _digits_fit(line, payment.token_bin, payment.token_last4, payment):
        return TOKEN
    return None


def within_tip(line_amount: int, amount: int, tip_share: float) -> bool:
    """Whether a payment of amount pays a line of line_amount with a tip added on the slip:
    above it by at most tip_share of it (a share of 0.25 lets 10.00 become 12.50)."""
    return line_amount < amount <= line_amount + math.floor(line_amount * Decimal(str(tip_share)))


def exact(line: CardLine, payment: CardPayment, tip_share: float) -> bool:
    """Auth code, amount and transaction date all equal."""
    return (
        _equal(line.auth_code, payment.auth_code)
        and line.amount == payment.amount
        and line.transaction_date == payment.transaction_date
    )


def date_window(line: CardLine, payment: CardPayment, tip_share: float) -> bool:
    """The bank posted on another day (time zones, late posting): auth code and amount
    equal, the dates at most DATE_WINDOW_DAYS apart."""
    return (
        _equal(line.auth_code, payment.auth_code)
        and line.amount == payment.amount
        and abs((payment.transaction_date - line.transaction_date).days) <= DATE_WINDOW_DAYS
    )


def tip(line: CardLine, payment: CardPayment, tip_share: float) -> bool:
    """A tip added on the slip: auth code and date equal, the payment within_tip of the line."""
    return (
        _equal(line.auth_code, payment.auth_code)
        and line.transaction_date == payment.transaction_date
        and within_tip(line.amount, payment.amount, tip_share)
    )


def no_auth_code(line: CardLine, payment: CardPayment, tip_share: float) -> bool:
    """The slip has no auth code, or another one: amount and date equal, and the terminal's
    reference instead (terminal id and RRN). A slip that prints neither an auth code nor an
    RRN has only its card to go by, with the terminal id wherever it prints one."""
    if (
        line.amount != payment.amount
        or line.transaction_date != payment.transaction_date
        or line.auth_code == payment.auth_code
    ):
        return False
    by_reference = _equal(line.terminal_id, payment.terminal_id) and _equal(line.rrn, payment.rrn)
    by_card_alone = line.auth_code is None and line.rrn is None and _agrees(line.terminal_id, payment.terminal_id)
    return by_reference or by_card_alone


TESTS: dict[str, Callable[[CardLine, CardPayment, float], bool]] = {
    EXACT: exact,
    DATE_WINDOW: date_window,
    TIP: tip,
    NO_AUTH_CODE: no_auth_code,
}


def fits(rule: str, line: CardLine, payment: CardPayment, tip_share: float) -> bool:
    """Whether line and payment are candidates of each other under rule (unlinked pairs aside)."""
    return (
        line.currency == payment.currency
        and line.kind == payment.kind
        and card_key(line, payment) is not None
        and TESTS[rule](line, payment, tip_share)
    )


def look_alike_set(rule: str, line: CardLine) -> uuid.UUID:
    """The set an ambiguous pair's items are recorded in: the rule and what look-alikes share,
    the card as the slip shows it, and under EXACT the currency, amount and date (each
    tolerant rule: the currency and kind)."""
    card = line.pan_last4 if line.pan_last4 is not None else f"{line.rrn}/{line.terminal_id}"
    shared = (
        (line.currency, line.amount, line.transaction_date.isoformat()) if rule == EXACT else (line.currency, line.kind)
    )
    return uuid.UUID(hashlib.md5("|".join(map(str, (rule, card, *shared))).encode()).hexdigest())


Item = tuple[Literal["receipt", "payment"], uuid.UUID]


@dataclass(frozen=True)
class Ambiguity:
    set_id: uuid.UUID  # the first set by id, where an item is in several
    candidates: int  # the most any of its pairs had on its side


@dataclass(frozen=True)
class Decision:
    """What one rule decides: the pairs it claims, and the items it finds among look-alikes."""

    claimed: dict[tuple[uuid.UUID, int], uuid.UUID] = field(default_factory=dict)  # line key → payment id
    card_keys: dict[tuple[uuid.UUID, int], str] = field(default_factory=dict)  # line key → its claim's card_key
    ambiguous: dict[Item, Ambiguity] = field(default_factory=dict)


def decide(
    rule: str,
    lines: Iterable[CardLine],
    payments: Iterable[CardPayment],
    tip_share: float,
    *,
    held: Collection[uuid.UUID] = (),
    unlinked: Collection[tuple[uuid.UUID, uuid.UUID]] = (),
    focus: Collection[uuid.UUID] | None = None,
) -> Decision:
    """Apply rule to the open lines and payments.

    held: receipts and payments that are ambiguous already (candidates, never claimed).
    unlinked: (payment id, receipt id) pairs the operator undid, never paired again.
    focus: decide only the pairs with one of these receipts or payments on either side (the
    event path); their candidates are still counted against everything open.
    """
    payments = list(payments)
    pairs = [
        (line, payment)
        for line in lines
        for payment in payments
        if fits(rule, line, payment, tip_share) and (payment.id, line.receipt_id) not in unlinked
    ]
    of_line = Counter(line.key for line, _ in pairs)
    of_payment = Counter(payment.id for _, payment in pairs)
    if focus is not None:
        pairs = [(line, payment) for line, payment in pairs if line.receipt_id in focus or payment.id in focus]
    decision = Decision()
    found: dict[Item, list[tuple[uuid.UUID, int]]] = {}
    for line, payment in pairs:
        alone = of_line[line.key] == 1 and of_payment[payment.id] == 1
        if alone and line.receipt_id not in held and payment.id not in held:
            decision.claimed[line.key] = payment.id
            key = card_key(line, payment)
            assert key is not None  # the pair fits
            decision.card_keys[line.key] = key
        elif not alone:
            set_id = look_alike_set(rule, line)
            found.setdefault(("receipt", line.receipt_id), []).append((set_id, of_line[line.key]))
            found.setdefault(("payment", payment.id), []).append((set_id, of_payment[payment.id]))
    for item, sets in found.items():
        decision.ambiguous[item] = Ambiguity(min(sets, key=lambda one: str(one[0]))[0], max(n for _, n in sets))
    return decision


@dataclass(frozen=True)
class StatementCard:
    """The card data of one line of a cardholder's statement, as an issuer asks with it
    (the look-up): the card's BIN and last 4 always, the rest where the bank has it.

    The card may have paid through a wallet: pars and tokens are what the asking bank knows
    the account by besides the card's number (the PAR it sent, and the PARs and wallet
    tokens, BIN and last 4, of its own payments of this card)."""

    pan_bin: str
    pan_last4: str
    auth_code: str | None
    amount: int
    currency: str
    transaction_date: date
    terminal_id: str | None
    rrn: str | None
    pars: frozenset[str] = frozenset()
    tokens: frozenset[tuple[str, str]] = frozenset()


def _loosely(printed: str | None, known: str | None) -> bool:
    """Equal wherever both have it."""
    return printed is None or known is None or printed == known


def statement_names_card(line: CardLine, statement: StatementCard) -> bool:
    """card_key, from the statement's side: a PAR decides where both have one; the slip's
    digits may be the card's or a token's. What the bank sent may lack the RRN and terminal
    id, which then cannot tell look-alikes apart; a slip with no digits needs both."""
    if line.par is not None and statement.pars:
        return line.par in statement.pars
    if line.pan_last4 is None:
        return (
            statement.rrn is not None
            and statement.terminal_id is not None
            and _equal(line.rrn, statement.rrn)
            and _equal(line.terminal_id, statement.terminal_id)
        )
    return any(
        line.pan_last4 == last4
        and (
            line.pan_bin == pan_bin
            if line.pan_bin is not None
            else _loosely(line.rrn, statement.rrn) and _loosely(line.terminal_id, statement.terminal_id)
        )
        for pan_bin, last4 in ((statement.pan_bin, statement.pan_last4), *statement.tokens)
    )


def can_look_up(rule: str, statement: StatementCard) -> bool:
    """Whether the statement carries what rule compares: an auth code (NO_AUTH_CODE needs
    none: card, amount and date decide, or the terminal's reference)."""
    return rule == NO_AUTH_CODE or statement.auth_code is not None


def statement_fits(rule: str, line: CardLine, statement: StatementCard, tip_share: float) -> bool:
    """fits, from the statement's side (kinds are not compared: a statement line has none).
    A bank that sent no auth code, or a slip that prints neither an auth code nor an RRN,
    is answered by card, amount and date, with the terminal and RRN wherever both have them."""
    if line.currency != statement.currency or not statement_names_card(line, statement):
        return False
    same_day = line.transaction_date == statement.transaction_date
    if rule == NO_AUTH_CODE:
        if line.amount != statement.amount or not same_day:
            return False
        if statement.auth_code is None or (line.auth_code is None and line.rrn is None):
            return _loosely(line.terminal_id, statement.terminal_id) and _loosely(line.rrn, statement.rrn)
        return (
            _equal(line.terminal_id, statement.terminal_id)
            and _equal(line.rrn, statement.rrn)
            and line.auth_code != statement.auth_code
        )
    if not _equal(line.auth_code, statement.auth_code):
        return False
    if rule == EXACT:
        return line.amount == statement.amount and same_day
    if rule == DATE_WINDOW:
        days = abs((statement.transaction_date - line.transaction_date).days)
        return line.amount == statement.amount and days <= DATE_WINDOW_DAYS
    return same_day and within_tip(line.amount, statement.amount, tip_share)  # TIP


def look_up(statement: StatementCard, lines: Iterable[CardLine], tip_share: float) -> tuple[str | None, set[uuid.UUID]]:
    """The first rule of the cascade under which any of lines (those the asking bank may
    see) fits the statement, and the receipts it finds; (None, set()) when none does. One
    receipt is the answer; more are look-alikes, and none is picked."""
    lines = list(lines)
    for rule in RULES:
        if can_look_up(rule, statement):
            found = {line.receipt_id for line in lines if statement_fits(rule, line, statement, tip_share)}
            if found:
                return rule, found
    return None, set()
