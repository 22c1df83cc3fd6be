"""The operator's decisions on matches (SPEC §11)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Protocol

from shared.domain.base import Integer, RequestModel
from shared.domain.errors import AlreadyMatched, ValidationFailed, Violation


class ManualMatch(RequestModel):
    """POST /v1/admin/matches: this payment pays this receipt (its only open card line, or line_no)."""

    receipt_id: uuid.UUID
    payment_id: uuid.UUID
    line_no: Annotated[int, Integer(1, 1000)] | None = None


class SettlementLine(Protocol):
    """What settling reads of a receipt's card line."""

    @property
    def line_no(self) -> int: ...
    @property
    def currency(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def payment_id(self) -> uuid.UUID | None: ...


class SettlementPayment(Protocol):
    """What settling reads of a payment."""

    @property
    def currency(self) -> str: ...
    @property
    def kind(self) -> str: ...


def line_to_settle(lines: Sequence[SettlementLine], payment: SettlementPayment, line_no: int | None) -> SettlementLine:
    """The card line of a receipt an operator's match pays: the one named, or the receipt's
    only open one; it must be of the payment's currency and kind."""
    line = _named_or_only_open(lines, line_no)
    violations = [
        Violation(name, f"{name}_mismatch", f"the payment's {name} is {theirs}, the line's {ours}")
        for name, theirs, ours in (("currency", payment.currency, line.currency), ("kind", payment.kind, line.kind))
        if theirs != ours
    ]
    if violations:
        raise ValidationFailed("the payment cannot pay this line", violations)
    return line


def _named_or_only_open(lines: Sequence[SettlementLine], line_no: int | None) -> SettlementLine:
    if line_no is not None:
        for line in lines:
            if line.line_no == line_no:
                return line
        raise ValidationFailed(
            "the receipt has no such card line",
            [Violation("line_no", "unknown_line", f"the receipt's card lines are {[line.line_no for line in lines]}")],
        )
    open_lines = [line for line in lines if line.payment_id is None]
    if len(open_lines) == 1:
        return open_lines[0]
    if not open_lines:
        raise AlreadyMatched("every card line of this receipt is matched already")
    raise ValidationFailed(
        "the receipt has several open card lines: say which",
        [Violation("line_no", "line_no_required", f"one of {[line.line_no for line in open_lines]}")],
    )
