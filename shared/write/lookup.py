"""The issuer's look-up (SPEC §10): a bank asks, with the card data of one statement line,
for the one receipt it belongs to — or nothing, never a guess.

It runs the matching cascade (shared.domain.matching.RULES: exact, then reconciliation's tolerant
rules in order) over receipts' card lines, open or matched, in one statement: each rule
answers at most two receipts, and the first rule with any answer decides (one: that
receipt; two: ambiguous). A line already matched to a payment is only visible to the bank
of that payment, so a look-up shows a bank nothing it could not see already. It reads the
write model, where the cascade's indexes are, and writes nothing.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, TextClause, text

from shared.domain.matching import DATE_WINDOW, DATE_WINDOW_DAYS, EXACT, NO_AUTH_CODE, RULES, TIP
from shared.write import callbacks

# Which lines a rule finds for the card data of a statement line (:masked_pan is the
# bank's, first 6 and last 4): the rules read from the statement's side, which may lack
# what a payment always has (its auth code, terminal, RRN), as shared.domain.matching's
# statement_fits says them (and tests/integration/test_matching_model.py holds this SQL to).
# A line's money is what its card was charged, as the statement shows it.
_FITS = {
    EXACT: "l.auth_code = :auth_code AND l.charged_amount = :amount AND l.transaction_date = :transaction_date",
    DATE_WINDOW: "l.auth_code = :auth_code AND l.charged_amount = :amount"
    f" AND l.transaction_date BETWEEN CAST(:transaction_date AS date) - {DATE_WINDOW_DAYS}"
    f" AND CAST(:transaction_date AS date) + {DATE_WINDOW_DAYS}",
    # The statement shows the amount with the tip: the slip's is below it by at most tip_share.
    TIP: "l.auth_code = :auth_code AND l.transaction_date = :transaction_date"
    " AND l.charged_amount < :amount AND l.charged_amount >= floor(:amount / (1 + CAST(:tip_share AS numeric)))"
    " AND l.charged_amount + floor(l.charged_amount * CAST(:tip_share AS numeric)) >= :amount",
    # The auth codes play no part where the bank sent none, or the slip prints neither an
    # auth code nor an RRN (card, amount and date then decide, with terminal and RRN
    # wherever both have them); where the slip's auth code is another, the terminal and
    # RRN must agree.
    NO_AUTH_CODE: "l.charged_amount = :amount AND l.transaction_date = :transaction_date AND CASE"
    " WHEN CAST(:auth_code AS text) IS NULL OR (l.auth_code IS NULL AND l.rrn IS NULL) THEN"
    " (CAST(:terminal_id AS text) IS NULL OR l.terminal_id IS NULL OR l.terminal_id = :terminal_id)"
    " AND (CAST(:rrn AS text) IS NULL OR l.rrn IS NULL OR l.rrn = :rrn)"
    " ELSE l.terminal_id = :terminal_id AND l.rrn = :rrn AND l.auth_code IS DISTINCT FROM :auth_code END",
}


def _can_fit(rule: str, card: Mapping[str, object]) -> bool:
    """Whether the bank sent the card data rule compares (a rule that cannot fit is left out)."""
    return rule == NO_AUTH_CODE or card["auth_code"] is not None


# What the bank knows the account by besides the card's number: the PAR it sent, and the
# PARs and wallet tokens of its own payments of this card.
_WALLET = """
    wallet AS (
        SELECT token_bin, token_last4, par FROM payments
        WHERE pan_last4 = right(:masked_pan, 4) AND pan_bin = left(:masked_pan, 6) AND bank_id = :bank_id
          AND (token_last4 IS NOT NULL OR par IS NOT NULL)
    ), pars AS (
        SELECT par FROM wallet WHERE par IS NOT NULL
        UNION SELECT CAST(:par AS text) WHERE CAST(:par AS text) IS NOT NULL
    ), numbers AS (
        SELECT left(:masked_pan, 6) AS pan_bin, right(:masked_pan, 4) AS pan_last4
        UNION SELECT token_bin, token_last4 FROM wallet WHERE token_last4 IS NOT NULL
    )"""

# How a slip's card data agrees with the bank's (statement_names_card): a PAR decides
# where both have one; else the last 4 digits of the card or a token, and the BIN where the
# slip shows it (where it shows the last 4 only, RRN and terminal wherever both have them);
# a slip with no digits, by the acquirer's reference. Each is (what it reads, its condition).
_NO_PARS_TO_COMPARE = "(l.par IS NULL OR NOT EXISTS (SELECT FROM pars))"
_CARD = {
    "digits": (
        "numbers n JOIN receipt_card_payments l ON l.pan_last4 = n.pan_last4",
        f"{_NO_PARS_TO_COMPARE} AND (l.pan_bin = n.pan_bin OR (l.pan_bin IS NULL"
        " AND (l.rrn IS NULL OR CAST(:rrn AS text) IS NULL OR l.rrn = :rrn)"
        " AND (l.terminal_id IS NULL OR CAST(:terminal_id AS text) IS NULL OR l.terminal_id = :terminal_id)))",
    ),
    "par": ("receipt_card_payments l", "l.par IN (SELECT par FROM pars)"),
    "reference": (
        "receipt_card_payments l",
        f"{_NO_PARS_TO_COMPARE} AND l.masked_pan IS NULL AND l.rrn = :rrn AND l.terminal_id = :terminal_id",
    ),
}


def _candidates(rule: str, card: str) -> str:
    lines, names_card = _CARD[card]
    return f"""
    (SELECT DISTINCT '{rule}' AS rule, l.receipt_id
     FROM {lines}
     JOIN receipts r ON r.id = l.receipt_id
     LEFT JOIN payments p ON p.id = l.payment_id
     WHERE {names_card} AND l.charged_currency = :currency AND {_FITS[rule]}
       AND r.status IN ('unmatched', 'ambiguous', 'matched')
       AND (l.payment_id IS NULL OR p.bank_id = :bank_id)
     LIMIT 2)
    """


@functools.cache
def _cascade(rules: tuple[str, ...], by_reference: bool) -> TextClause:
    """One statement for the rules the card data allows (a handful of combinations), built once."""
    # A slip with no card digits is only found by the acquirer's reference, if the bank sent it.
    cards = ("digits", "par", "reference") if by_reference else ("digits", "par")
    return text(f"WITH {_WALLET}\n" + " UNION ALL ".join(_candidates(rule, card) for rule in rules for card in cards))


_RECEIPT = text(
    """
    SELECT r.id, r.document, r.merchant_id, m.name AS merchant_name,
           m.identity - 'logo' - 'kivra_service_id' AS merchant_identity
    FROM receipts r JOIN merchants m ON m.id = r.merchant_id
    WHERE r.id = :id
    """
)


class Lookups:
    """The issuer's look-up on the unit of work's connection: it reads, never writes."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def first_fitting_rule(
        self, bank_id: uuid.UUID, card: Mapping[str, object], tip_share: float
    ) -> tuple[str | None, list[uuid.UUID]]:
        """The first rule of the cascade that finds any receipt for card, and what it finds
        (one, or two look-alikes); (None, []) when none does."""
        rules = [rule for rule in RULES if _can_fit(rule, card)]
        by_reference = card.get("rrn") is not None and card.get("terminal_id") is not None
        rows = self.connection.execute(
            _cascade(tuple(rules), by_reference), {**card, "bank_id": bank_id, "tip_share": tip_share}
        ).all()
        for rule in rules:
            receipt_ids = list(dict.fromkeys(row.receipt_id for row in rows if row.rule == rule))
            if receipt_ids:
                return rule, receipt_ids
        return None, []

    def itemised_receipt(self, receipt_id: uuid.UUID) -> dict[str, Any]:
        """The receipt as a bank is given it."""
        receipt = self.connection.execute(_RECEIPT, {"id": receipt_id}).one()
        return callbacks.itemised_receipt(
            receipt.id, receipt.merchant_id, receipt.merchant_name, receipt.document, receipt.merchant_identity
        )
