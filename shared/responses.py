"""Response bodies of the write API: what a caller gets back, as models for the OpenAPI doc."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from shared.domain.receipts import CardPaymentLine, ReceiptLine, Totals

Status = Literal["unmatched", "matched", "ambiguous", "expired"]


class PartyCredentials(BaseModel):
    """A new merchant or bank. api_key and webhook_secret are shown this once only."""

    id: str
    name: str
    callback_url: str
    api_key: str
    webhook_secret: str


class WebhookSecret(BaseModel):
    """A party's new webhook secret, shown this once; the previous one signs beside it for 24 h."""

    id: str
    webhook_secret: str


class PartyEndpoint(BaseModel):
    """A party's callback endpoint after a change."""

    id: str
    name: str
    callback_url: str


class ReceiptAccepted(BaseModel):
    id: str
    status: Status
    merchant_receipt_id: str


class PaymentAccepted(BaseModel):
    id: str
    status: Status
    bank_payment_id: str
    masked_pan: str


class PaymentCleared(BaseModel):
    id: str
    status: Status
    bank_payment_id: str
    amount: int
    authorised_amount: int
    receipt_id: str | None


class ErrorDetail(BaseModel):
    field: str
    code: str
    message: str


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail]


class Error(BaseModel):
    error: ErrorBody


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    dependencies: dict[str, Literal["up", "down"]]


class MerchantRef(BaseModel):
    id: str
    name: str | None


class ReceiptView(BaseModel):
    """An itemised receipt as the read API shows it (masked card data only)."""

    id: str
    merchant: MerchantRef
    merchant_receipt_id: str
    status: Status
    issued_at: str
    currency: str
    lines: list[ReceiptLine]
    totals: Totals
    payments: list[CardPaymentLine]
    refund_of: str | None = None
    submitted_at: str


class ItemisedReceipt(BaseModel):
    """A receipt as a bank is given it: in its callback, or found by a look-up."""

    id: str
    merchant: MerchantRef
    merchant_receipt_id: str
    issued_at: str
    currency: str
    lines: list[ReceiptLine]
    totals: Totals
    payments: list[CardPaymentLine]


class LookupAnswer(BaseModel):
    """The one receipt a statement line's card data leads to, and the rule that found it."""

    receipt: ItemisedReceipt
    receipt_url: str
    match_rule: Literal["exact", "date_window", "tip", "no_auth_code"]


class AmbiguousReceipt(BaseModel):
    id: str
    merchant_receipt_id: str
    lines: list[CardPaymentLine]


class AmbiguousPayment(BaseModel):
    id: str
    bank_payment_id: str
    masked_pan: str
    amount: int
    currency: str
    transaction_date: str


class AmbiguitySet(BaseModel):
    """Look-alike receipts and payments no rule would pick between: the operator's to settle."""

    id: str
    rule: str
    receipts: list[AmbiguousReceipt]
    payments: list[AmbiguousPayment]
    created_at: str


class AmbiguityPage(BaseModel):
    items: list[AmbiguitySet]
    next_cursor: str | None


class MatchDecision(BaseModel):
    """A match the operator made (rule manual), or undid (status unlinked, with the rule it had)."""

    receipt_id: str
    payment_id: str
    match_rule: str
    status: Literal["unlinked"] | None = None


class AccountErased(BaseModel):
    """An erasure done: the payments of the account no longer name it, anywhere."""

    erasure_id: str
    payments: int  # how many payments of the account were erased
    status: Literal["erased"]


class ReceiptPage(BaseModel):
    items: list[ReceiptView]
    next_cursor: str | None


class StatementPayment(BaseModel):
    """A payment on a bank's statement, with the receipt it was matched to."""

    id: str
    bank_payment_id: str
    account_ref: str
    masked_pan: str
    auth_code: str
    amount: int
    currency: str
    transaction_date: str
    transaction_time: str
    merchant_name: str
    terminal_id: str
    rrn: str
    kind: Literal["purchase", "refund"]
    status: Status
    match_rule: str | None = None
    receipt: ReceiptView | None


class StatementPage(BaseModel):
    items: list[StatementPayment]
    next_cursor: str | None


class Tally(BaseModel):
    count: int
    amounts: dict[str, int]  # minor units per currency


class WaitingItems(BaseModel):
    receipts: Tally
    payments: Tally


class FailedCallback(BaseModel):
    callback_id: str
    payment_id: str
    bank_payment_id: str
    party_kind: Literal["merchant", "bank"]
    party_id: str
    attempts: int
    last_error: str | None
    failed_at: str


class FailedCallbacks(BaseModel):
    count: int
    items: list[FailedCallback]


class DayRate(BaseModel):
    date: str
    matched: int
    items: int
    rate: float | None


class MatchRate(BaseModel):
    of: Literal["payments", "receipts"]
    days: list[DayRate]


class ReportScope(BaseModel):
    kind: Literal["operator", "merchant", "bank"]
    id: str | None


class ReconciliationReport(BaseModel):
    """One day's reconciliation, scoped to the caller (README: Reconciliation)."""

    date: str
    scope: ReportScope
    matched: dict[str, Tally]  # per match rule, the operator's (manual) included
    unmatched: WaitingItems
    ambiguous: WaitingItems
    expired: WaitingItems
    failed_callbacks: FailedCallbacks
    unlinked: int  # matches the operator undid
    drift_repaired: int | None  # the operator's only
    match_rate: MatchRate
