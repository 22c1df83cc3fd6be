"""Domain events: stable wire names, a timezone-aware time, the aggregate as subject (SPEC §7)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

RECEIPT_SUBMITTED = "receipts.receipt.submitted.v1"
PAYMENT_SUBMITTED = "receipts.payment.submitted.v1"
RECEIPT_MATCHED = "receipts.receipt.matched.v1"
PAYMENT_MATCHED = "receipts.payment.matched.v1"
CALLBACK_DELIVERED = "receipts.callback.delivered.v1"
CALLBACK_FAILED = "receipts.callback.failed.v1"
RECEIPT_AMBIGUOUS = "receipts.receipt.ambiguous.v1"
PAYMENT_AMBIGUOUS = "receipts.payment.ambiguous.v1"
RECEIPT_EXPIRED = "receipts.receipt.expired.v1"
PAYMENT_EXPIRED = "receipts.payment.expired.v1"
PAYMENT_CLEARED = "receipts.payment.cleared.v1"
RECEIPT_UNMATCHED = "receipts.receipt.unmatched.v1"
PAYMENT_UNMATCHED = "receipts.payment.unmatched.v1"
# A sale voided at the till, a payment its issuer reversed (in full, or a part of it).
RECEIPT_VOIDED = "receipts.receipt.voided.v1"
PAYMENT_REVERSED = "receipts.payment.reversed.v1"
# The operator's decisions (SPEC §11): a pair matched by hand, a wrong match undone.
MATCH_SETTLED = "receipts.match.settled.v1"
MATCH_UNLINKED = "receipts.match.unlinked.v1"
# A cardholder account erased (SPEC §11): names the erasure and the bank, never the account.
ACCOUNT_ERASED = "receipts.account.erased.v1"
# Drift repair: the write model's state of an item, applied over whatever the read model holds.
RECEIPT_RESTATED = "receipts.receipt.restated.v1"
PAYMENT_RESTATED = "receipts.payment.restated.v1"
RECONCILIATION_COMPLETED = "receipts.reconciliation.completed.v1"
MERCHANT_REGISTERED = "receipts.merchant.registered.v1"
BANK_REGISTERED = "receipts.bank.registered.v1"
# A party's endpoint changed: its callback_url, its webhook secret's version, or disabled by a 410.
MERCHANT_UPDATED = "receipts.merchant.updated.v1"
BANK_UPDATED = "receipts.bank.updated.v1"
# Not a state change: what a scheduled function receives when its schedule fires.
SCHEDULE_FIRED = "receipts.schedule.fired.v1"


@dataclass(frozen=True)
class Event:
    type: str
    subject: uuid.UUID
    data: dict[str, Any]  # JSON, shaped as its type says
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))
