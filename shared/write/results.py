"""What the write API answers, and what its callbacks send: each as a model for the OpenAPI
document."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.domain.legal import Legal
from shared.domain.matching import Status
from shared.domain.parties import MerchantRef
from shared.domain.receipts import Fiscal, ReceiptDiscount, ReceiptLine, ReceiptWarning, Store, Tender, Totals


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


class IssuedApiKey(BaseModel):
    """Another API key for a party, beside its others: api_key is shown this once only."""

    key_id: str
    api_key: str
    created_at: datetime
    expires_at: datetime | None


class ApiKey(BaseModel):
    """One of a party's API keys, without its secret: shown is its prefix and last 4
    characters (None for a key issued before they were kept); last_used_at to the minute."""

    key_id: str
    shown: str | None
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class ApiKeys(BaseModel):
    items: list[ApiKey]


class DeletedApiKey(BaseModel):
    key_id: str
    status: Literal["deleted"]


class PartyEndpoint(BaseModel):
    """A party's callback endpoint after a change (and a bank's client certificate subject)."""

    id: str
    name: str
    callback_url: str
    client_cert_subject: str | None = Field(None, description="banks only: the certificate its keys are bound to")


class ReceiptAccepted(BaseModel):
    id: str
    status: Status
    merchant_receipt_id: str
    # What a till's document breaks of the platform's rules: it was taken as printed (SPEC §12).
    warnings: list[ReceiptWarning] = []


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


class ItemisedReceipt(BaseModel):
    """A receipt as a bank is given it: in its callback, or found by a look-up."""

    id: str
    merchant: MerchantRef
    merchant_receipt_id: str
    issued_at: str
    currency: str
    lines: list[ReceiptLine]
    totals: Totals
    payments: list[Tender]
    kind: Literal["sale", "refund"]
    discounts: list[ReceiptDiscount] | None = None
    prices_include_vat: bool | None = None
    store: Store | None = None
    fiscal: Fiscal | None = None
    warnings: list[ReceiptWarning] | None = None
    legal: Legal


class ReceiptFormats(BaseModel):
    """The receipt's links in each format (SPEC §12), for an app that follows a link with no Accept header."""

    html: str
    kivra: str
    arts: str


def receipt_links(public_url: str, receipt_id: uuid.UUID) -> dict[str, str | dict[str, str]]:
    """receipt_url, and beside it the same receipt in each format a bank app may read natively."""
    url = f"{public_url}/v1/receipts/{receipt_id}"
    return {
        "receipt_url": url,
        "receipt_formats": {kind: f"{url}/{kind}" for kind in ReceiptFormats.model_fields},
    }


class BankReceiptMatched(BaseModel):
    """A bank's payment was matched to a receipt: the receipt itself and its links."""

    payment_id: str
    bank_payment_id: str
    account_ref: str
    receipt: ItemisedReceipt
    receipt_url: str
    receipt_formats: ReceiptFormats


class MerchantReceiptMatched(BaseModel):
    """A merchant's receipt was matched to a card payment; customer_id is stable per cardholder
    account and merchant, and tells one merchant nothing of another's customers."""

    receipt_id: str
    merchant_receipt_id: str
    customer_id: str


class ReceiptUnlinked(BaseModel):
    """A bank's payment is no longer matched to the receipt: its final amount differs, it was
    reversed, or the operator undid the match. Its app removes the receipt."""

    payment_id: str
    bank_payment_id: str
    account_ref: str
    receipt_id: str
    reason: Literal["clearing", "reversal", "operator"]
    amount: int
    authorised_amount: int | None


class ReceiptVoided(BaseModel):
    """The receipt a bank's payment was matched to was voided at the till: its app removes it."""

    payment_id: str
    bank_payment_id: str
    account_ref: str
    receipt_id: str


class _Callback(BaseModel):
    id: str  # the event id (webhook-id, Receipts-Event-Id): the same on every retry, to dedupe on
    created_at: datetime


class BankReceiptMatchedCallback(_Callback):
    type: Literal["receipt.matched"]
    data: BankReceiptMatched


class MerchantReceiptMatchedCallback(_Callback):
    type: Literal["receipt.matched"]
    data: MerchantReceiptMatched


class ReceiptUnlinkedCallback(_Callback):
    type: Literal["receipt.unlinked"]
    data: ReceiptUnlinked


class ReceiptVoidedCallback(_Callback):
    type: Literal["receipt.voided"]
    data: ReceiptVoided


# What each party's callback_url is sent (SPEC §6), by the OpenAPI document's webhook names.
CALLBACKS: dict[str, tuple[str, type[_Callback]]] = {
    "bankReceiptMatched": (
        "to the bank: its payment was matched, with the itemised receipt",
        BankReceiptMatchedCallback,
    ),
    "merchantReceiptMatched": (
        "to the merchant: its receipt was matched to a card payment",
        MerchantReceiptMatchedCallback,
    ),
    "bankReceiptUnlinked": ("to the bank: its payment is no longer matched to the receipt", ReceiptUnlinkedCallback),
    "bankReceiptVoided": ("to the bank: the receipt its payment was matched to was voided", ReceiptVoidedCallback),
}


class LookupAnswer(BaseModel):
    """The one receipt a statement line's card data leads to, and the rule that found it."""

    receipt: ItemisedReceipt
    receipt_url: str
    receipt_formats: ReceiptFormats
    match_rule: Literal["exact", "date_window", "tip", "no_auth_code"]


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
