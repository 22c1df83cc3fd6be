"""Command handlers: each runs one unit of work and records what changed as events."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row

from shared.domain import events
from shared.domain.cards import mask_pan
from shared.domain.errors import (
    AlreadyMatched,
    Ambiguous,
    DeliveryPending,
    IdempotencyConflict,
    LastKey,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
    Violation,
)
from shared.domain.matching import MANUAL, within_tip
from shared.domain.parties import (
    OPERATOR,
    Actor,
    EndpointChange,
    KeyRequest,
    MerchantChange,
    MerchantIdentity,
    Party,
    PartyKind,
    PartyRegistration,
)
from shared.domain.payments import Clearing, PaymentSubmission, Reversal, StatementLine
from shared.domain.receipts import ReceiptSubmission, ReceiptWarning
from shared.domain.settlement import ManualMatch, line_to_settle
from shared.formats.document import Imported
from shared.platform import destinations, logs, metrics
from shared.platform.config import settings
from shared.write import auth, callbacks, matching, outbox, reconciliation, results
from shared.write.repositories import Stored
from shared.write.results import (
    ApiKey,
    ApiKeys,
    DeletedApiKey,
    IssuedApiKey,
    PartyCredentials,
    PartyEndpoint,
    PaymentAccepted,
    PaymentCleared,
    ReceiptAccepted,
    WebhookSecret,
)
from shared.write.unit_of_work import UnitOfWork

_log = logs.get("services")

_REGISTERED = {"merchant": events.MERCHANT_REGISTERED, "bank": events.BANK_REGISTERED}
_UPDATED = {"merchant": events.MERCHANT_UPDATED, "bank": events.BANK_UPDATED}


def register_party(
    kind: PartyKind,
    registration: PartyRegistration,
    actor: Actor,
    uow: UnitOfWork,
    party_id: uuid.UUID | None = None,
) -> PartyCredentials | None:
    """Onboard a merchant or bank; the returned API key and webhook secret are shown once.

    A chosen party_id (demo data) that is taken already registers nothing: None.
    """
    _callable(registration.callback_url)
    party = Party(kind, party_id or uuid.uuid4())
    api_key = auth.new_api_key(kind)
    secret = auth.webhook_secret(party.id)
    identity: dict[str, Any] = registration.identity() if isinstance(registration, MerchantIdentity) else {}
    with uow:
        if not uow.parties.add(
            party,
            registration.name,
            registration.callback_url,
            auth.hash_api_key(api_key),
            auth.shown(api_key),
            identity,
        ):
            return None
        uow.record(
            events.Event(
                _REGISTERED[kind],
                party.id,
                {
                    "id": str(party.id),
                    "name": registration.name,
                    "callback_url": registration.callback_url,
                    "identity": identity,
                    "version": 1,
                },
            )
        )
        uow.audit.record(actor, f"{kind}.onboarded", kind, party.id)
        uow.commit()
    return PartyCredentials(
        id=str(party.id),
        name=registration.name,
        callback_url=registration.callback_url,
        api_key=api_key,
        webhook_secret=secret,
    )


def rotate_webhook_secret(party: Party, actor: Actor, uow: UnitOfWork) -> WebhookSecret:
    """Give a party a new webhook secret (shown once); the old one signs beside it for
    auth.ROTATION_GRACE, so its receivers switch without missing a callback."""
    with uow:
        state = uow.parties.rotate_webhook_secret(party)
        if state is None:
            raise NotFound(f"no such {party.kind}")
        _record_party(uow, party, state)
        uow.audit.record(actor, "webhook_secret.rotated", party.kind, party.id)
        uow.commit()
    return WebhookSecret(id=str(party.id), webhook_secret=auth.webhook_secret(party.id, state.webhook_secret_version))


def issue_api_key(party: Party, request: KeyRequest, actor: Actor, uow: UnitOfWork) -> IssuedApiKey:
    """Another API key for the party, beside its others (shown once): a key is rolled by
    issuing the new one, moving the party's systems to it, then deleting the old."""
    api_key = auth.new_api_key(party.kind)
    with uow:
        issued = uow.parties.add_key(party, auth.hash_api_key(api_key), auth.shown(api_key), request.expires_in_hours)
        if issued is None:
            raise NotFound(f"no such {party.kind}")
        uow.audit.record(actor, "api_key.issued", "api_key", issued.key_id)
        uow.commit()
    return IssuedApiKey(
        key_id=str(issued.key_id), api_key=api_key, created_at=issued.created_at, expires_at=issued.expires_at
    )


def api_keys(party: Party, uow: UnitOfWork) -> ApiKeys:
    """The party's keys, never their secrets."""
    with uow:
        keys = uow.parties.keys(party)
    if keys is None:
        raise NotFound(f"no such {party.kind}")
    return ApiKeys(
        items=[
            ApiKey(
                key_id=str(key.key_id),
                shown=key.shown,
                created_at=key.created_at,
                expires_at=key.expires_at,
                last_used_at=key.last_used_at,
            )
            for key in keys
        ]
    )


def delete_api_key(party: Party, key_id: uuid.UUID, actor: Actor, uow: UnitOfWork) -> DeletedApiKey:
    """Delete one of the party's keys (refused everywhere within auth.KEY_CACHE_SECONDS);
    never its last live one (409), which would lock it out."""
    with uow:
        outcome = uow.parties.delete_key(party, key_id)
        if outcome == "unknown":
            raise NotFound(f"no key of this {party.kind} has this id")
        if outcome == "last":
            raise LastKey("this is the party's last live key: issue another before deleting it")
        uow.audit.record(actor, "api_key.deleted", "api_key", key_id)
        uow.commit()
    return DeletedApiKey(key_id=str(key_id), status="deleted")


def change_party(party: Party, change: EndpointChange | MerchantChange, actor: Actor, uow: UnitOfWork) -> PartyEndpoint:
    """Point a party's callbacks at a new URL if given (which re-enables an endpoint that
    answered 410), and change the parts of a merchant's identity given."""
    identity = change.identity() if isinstance(change, MerchantIdentity) else {}
    if change.callback_url is not None:
        _callable(change.callback_url)
    with uow:
        state = uow.parties.change(party, change.callback_url, identity)
        if state is None:
            raise NotFound(f"no such {party.kind}")
        subject = None
        if isinstance(change, EndpointChange):
            if "client_cert_subject" in change.model_fields_set:
                uow.parties.bind_certificate(party, change.client_cert_subject)
            subject = uow.parties.certificate_subject(party)
        _record_party(uow, party, state)
        uow.audit.record(actor, f"{party.kind}.changed", party.kind, party.id)
        uow.commit()
    return PartyEndpoint(
        id=str(state.id), name=state.name, callback_url=state.callback_url, client_cert_subject=subject
    )


def _callable(callback_url: str) -> None:
    """422 for a callback URL the platform would not call (shared.platform.destinations)."""
    try:
        destinations.destination(callback_url)
    except destinations.Refused as refused:
        raise ValidationFailed(
            "the platform does not call this callback_url",
            [Violation("callback_url", "callback_url_not_allowed", str(refused))],
        ) from None


def _record_party(uow: UnitOfWork, party: Party, state: Row[Any]) -> None:
    uow.record(
        events.Event(
            _UPDATED[party.kind],
            party.id,
            {
                "id": str(state.id),
                "name": state.name,
                "callback_url": state.callback_url,
                "webhook_secret_version": state.webhook_secret_version,
                "endpoint_disabled": state.endpoint_disabled,
                "identity": state.identity,
                "version": state.version,
            },
        )
    )


def submit_receipt(receipt: ReceiptSubmission, merchant: Party, uow: UnitOfWork) -> tuple[ReceiptAccepted, bool]:
    """Store a merchant's receipt once, if it keeps every rule; returns its view and whether it is new."""
    return _store_receipt(receipt.fingerprint(settings().require_platform_secret()), receipt.check(), merchant, uow)


def submit_document(document: Imported, merchant: Party, uow: UnitOfWork) -> tuple[ReceiptAccepted, bool]:
    """A receipt in a till's own format (Kivra, ARTS), taken as printed: its local
    time read in the merchant's time zone, a return linked to the merchant's original where
    the platform holds it, each rule it breaks a warning; stored as any receipt, idempotent
    on the document's receipt identifier."""
    with uow:
        country = uow.parties.country(merchant) if document.needs_time_zone else None
        original = uow.receipts.named(merchant.id, document.original) if document.original else None
    submitted = document.submission(country, original)
    receipt, warnings = document.accepted(submitted)
    fingerprint = document.fingerprint(submitted, settings().require_platform_secret())
    accepted, created = _store_receipt(fingerprint, receipt, merchant, uow, warnings)
    if created:
        metrics.document_warnings(document.format, [warning.code for warning in warnings])
    return accepted, created


def _store_receipt(
    fingerprint: str,
    receipt: ReceiptSubmission,
    merchant: Party,
    uow: UnitOfWork,
    warnings: list[ReceiptWarning] | None = None,
) -> tuple[ReceiptAccepted, bool]:
    """Store the receipt once under the fingerprint of what was sent; returns its view (with
    the warnings it was taken with) and whether it is new."""
    warnings = warnings or []
    receipt_id = uuid.uuid4()
    view = ReceiptAccepted(
        id=str(receipt_id), status="unmatched", merchant_receipt_id=receipt.merchant_receipt_id, warnings=warnings
    )
    now = datetime.now(UTC)
    state = (
        receipt.stored()
        | view.model_dump(exclude={"warnings"})
        | {
            "merchant_id": str(merchant.id),
            "bank_ids": [],
            "submitted_at": now.isoformat(),
            "version": 1,
        }
        | ({"warnings": [warning.model_dump() for warning in warnings]} if warnings else {})
    )
    with uow:
        if receipt.refund_of is not None and not uow.receipts.owned(merchant.id, receipt.refund_of):
            raise ValidationFailed(
                "refund_of names no receipt of this merchant",
                [Violation("refund_of", "refund_of_unknown", "refund_of must be the id of one of your receipts")],
            )
        submitted_event = events.Event(events.RECEIPT_SUBMITTED, receipt_id, state, occurred_at=now)
        if not uow.receipts.add(receipt_id, merchant.id, fingerprint, receipt, submitted_event):
            stored = uow.receipts.stored(merchant.id, receipt.merchant_receipt_id)
            _check_replay(stored, fingerprint, "merchant_receipt_id")
            return ReceiptAccepted(
                id=str(stored.id),
                status=stored.status,
                merchant_receipt_id=receipt.merchant_receipt_id,
                warnings=stored.warnings,
            ), False
        uow.commit()
    return view, True


def submit_payment(payment: PaymentSubmission, bank: Party, uow: UnitOfWork) -> tuple[PaymentAccepted, bool]:
    """Store a bank's payment once, under its masked PAN; returns its view and whether it is new."""
    fingerprint = payment.fingerprint(settings().require_platform_secret())
    masked_pan = mask_pan(payment.pan)
    payment_id = uuid.uuid4()
    view = PaymentAccepted(
        id=str(payment_id), status="unmatched", bank_payment_id=payment.bank_payment_id, masked_pan=masked_pan
    )
    now = datetime.now(UTC)
    state = (
        payment.stored()
        | view.model_dump()
        | {
            "bank_id": str(bank.id),
            "receipt_id": None,
            "submitted_at": now.isoformat(),
            "version": 1,
        }
    )
    with uow:
        submitted = events.Event(events.PAYMENT_SUBMITTED, payment_id, state, occurred_at=now)
        if not uow.payments.add(payment_id, bank.id, fingerprint, masked_pan, payment, submitted):
            stored = uow.payments.stored(bank.id, payment.bank_payment_id)
            _check_replay(stored, fingerprint, "bank_payment_id")
            return PaymentAccepted(
                id=str(stored.id), status=stored.status, bank_payment_id=payment.bank_payment_id, masked_pan=masked_pan
            ), False
        uow.commit()
    return view, True


_REVERSED = Violation("bank_payment_id", "payment_reversed", "this payment was reversed in full")


def clear_payment(final: Clearing, bank: Party, uow: UnitOfWork) -> PaymentCleared:
    """Apply a payment's final amount, which replaces the authorised one (kept); the same
    amount again changes nothing.

    A matched payment keeps its receipt while the final amount still pays the receipt's
    line (equal, or a tip within the share). Otherwise the link is released: the receipt is
    open again, the bank gets a receipt.unlinked callback, and the payment is matched
    afresh (at once by the event path's exact rule, or by the next reconciliation).
    """
    with uow:
        payment = uow.payments.locked(bank.id, final.bank_payment_id)
        if payment is None:
            raise NotFound("no payment of yours has this bank_payment_id")
        if payment.currency != final.currency:
            raise ValidationFailed(
                "the clearing's currency is not the payment's",
                [Violation("currency", "currency_mismatch", f"the payment is in {payment.currency}")],
            )
        if payment.status == "reversed":
            raise ValidationFailed("the payment is reversed already", [_REVERSED])
        authorised = payment.authorised_amount or payment.amount
        if payment.amount == final.amount:
            return _cleared(payment, payment.status, final.amount, authorised, payment.receipt_id)
        status, receipt_id = _judge_again(uow, payment, final.amount, events.PAYMENT_CLEARED, "clearing")
        uow.commit()
    return _cleared(payment, status, final.amount, authorised, receipt_id)


def _judge_again(
    uow: UnitOfWork, payment: Row[Any], amount: int, event_type: str, reason: str
) -> tuple[str, uuid.UUID | None]:
    """Give the (locked) payment a new amount: it keeps its receipt while the amount still
    pays the receipt's line (equal, or a tip within the share); otherwise the link is
    released, the bank is called back (receipt.unlinked, with reason), and the payment is
    matched afresh. Its new status and receipt."""
    matched = payment.status == "matched"
    keeps_match = matched and (
        amount == payment.line_amount or within_tip(payment.line_amount, amount, settings().tip_share)
    )
    released = matched and not keeps_match
    if released:
        uow.matches.release(payment.id)
    status = "matched" if keeps_match else "expired" if payment.status == "expired" else "unmatched"
    receipt_id = payment.receipt_id if keeps_match else None
    uow.payments.clear(payment.id, amount, status, receipt_id, payment.match_rule if keeps_match else None, event_type)
    if released:  # the callback tells the bank the new amount
        uow.callbacks.record_unlinked(payment.id, payment.receipt_id, reason)
    return status, receipt_id


def reverse_payment(reversal: Reversal, bank: Party, uow: UnitOfWork) -> PaymentCleared:
    """Apply an issuer's reversal (SPEC §14). In full (no amount, or the whole amount): the
    payment is reversed, never matched again, and a match it had is undone (its receipt
    open again; the bank is called back, receipt.unlinked with reason reversal). In part:
    the amount is reduced and matching judges the payment again, as a clearing's.

    Idempotent: a reversal_id seen before changes nothing, and so does a full reversal of
    a reversed payment; a partial reversal needs its reversal_id. Under the same locks as
    matching (the sweep's, shared; the payment's keys), so it never races a match.
    """
    with uow:
        _hold_off_sweeps(uow)
        payment_id = uow.payments.id_of(bank.id, reversal.bank_payment_id)
        if payment_id is not None:
            uow.matches.lock_keys([], [payment_id])  # before the payment's row, as matchers take them
        payment = uow.payments.locked(bank.id, reversal.bank_payment_id)
        if payment is None:
            raise NotFound("no payment of yours has this bank_payment_id")
        authorised = payment.authorised_amount or payment.amount
        unchanged = _cleared(payment, payment.status, payment.amount, authorised, payment.receipt_id)
        if reversal.reversal_id is not None:
            applied = uow.payments.reversal(payment.id, reversal.reversal_id)
            if applied is not None:
                if reversal.amount is not None and reversal.amount != applied:
                    raise IdempotencyConflict("this reversal_id was already applied with another amount")
                return unchanged
        full = reversal.amount is None or reversal.amount == payment.amount
        if payment.status == "reversed":
            if full and reversal.reversal_id is None:
                return unchanged
            raise ValidationFailed("the payment is reversed already", [_REVERSED])
        if not full and reversal.reversal_id is None:
            raise ValidationFailed(
                "a partial reversal needs its reversal_id",
                [Violation("reversal_id", "reversal_id_required", "the issuer's id of its reversal message")],
            )
        if reversal.amount is not None and reversal.amount > payment.amount:
            raise ValidationFailed(
                "the reversal is larger than the payment",
                [Violation("amount", "reversal_exceeds_amount", f"the payment's amount is {payment.amount}")],
            )
        if reversal.reversal_id is not None:
            uow.payments.record_reversal(payment.id, reversal.reversal_id, reversal.amount or payment.amount)
        if full:
            uow.matches.reverse(payment.id)
            if payment.status == "matched":
                uow.callbacks.record_unlinked(payment.id, payment.receipt_id, reason="reversal")
            status, receipt_id, amount = "reversed", None, payment.amount
        else:
            assert reversal.amount is not None  # a partial reversal says how much
            amount = payment.amount - reversal.amount
            status, receipt_id = _judge_again(uow, payment, amount, events.PAYMENT_REVERSED, "reversal")
        uow.commit()
    return _cleared(payment, status, amount, authorised, receipt_id)


def void_receipt(merchant: Party, receipt_id: uuid.UUID, uow: UnitOfWork) -> ReceiptAccepted:
    """Void the merchant's receipt (SPEC §14): never matched again, a match it had undone
    (its payments open again), and each bank it was matched to called back
    (receipt.voided) so that its app removes the receipt. The same again changes nothing.
    Under the same locks as matching (the sweep's, shared; the keys of the receipt's open
    lines), so a void racing a match never leaves a half-linked pair."""
    with uow:
        _hold_off_sweeps(uow)
        uow.matches.lock_keys([receipt_id], [])
        receipt = uow.receipts.to_void(merchant.id, receipt_id)
        if receipt is None:
            raise NotFound("no receipt of yours has this id")
        if receipt.status != "voided":
            for payment_id in uow.matches.void(receipt_id):
                uow.callbacks.record_voided(payment_id, receipt_id)
            uow.commit()
    return ReceiptAccepted(id=str(receipt.id), status="voided", merchant_receipt_id=receipt.merchant_receipt_id)


def _cleared(
    payment: Row[Any], status: str, amount: int, authorised_amount: int, receipt_id: uuid.UUID | None
) -> PaymentCleared:
    return PaymentCleared(
        id=str(payment.id),
        status=status,
        bank_payment_id=payment.bank_payment_id,
        amount=amount,
        authorised_amount=authorised_amount,
        receipt_id=str(receipt_id) if receipt_id else None,
    )


_MATCHED_AS = {
    events.RECEIPT_SUBMITTED: "receipt",
    events.PAYMENT_SUBMITTED: "payment",
    events.PAYMENT_CLEARED: "payment",
    events.PAYMENT_REVERSED: "payment",  # reversed in part: judged again
}


def match_submissions(batch: list[dict[str, Any]], uow: UnitOfWork) -> matching.Outcome | None:
    """Try to match the receipts and payments a batch of events announces, against what is
    open, in one transaction; DeliveryPending while a matching sweep runs."""
    items: dict[str, list[uuid.UUID]] = {"receipt": [], "payment": []}
    for event in batch:
        if event["type"] in _MATCHED_AS:
            items[_MATCHED_AS[event["type"]]].append(uuid.UUID(event["subject"]))
    if not items["receipt"] and not items["payment"]:
        return None
    with uow:
        outcome = uow.matches.match_items(items["receipt"], items["payment"])
        uow.commit()
    if outcome.deferred:
        # Not left to the next reconciliation (a minute away): the trigger calls again in a second.
        raise DeliveryPending("a matching sweep is running: match these once it is done")
    return outcome


def _hold_off_sweeps(uow: UnitOfWork) -> None:
    """Take the sweep lock shared, as matching does, waiting a moment for a running sweep;
    503 if it runs on."""
    if not uow.matches.wait_out_sweep():
        raise ServiceUnavailable("a matching sweep is running; retry in a few seconds")


_ALREADY_MATCHED = "already matched: unlink it first (DELETE /v1/admin/matches/{payment_id})"


def settle_match(match: ManualMatch, actor: Actor, uow: UnitOfWork) -> dict[str, str]:
    """The operator matches a pair matching would not (rule manual); callbacks
    follow as for any match.

    The pair is claimed as matching claims (the line by a conditional update, the payment
    by a unique constraint) under the same locks (the sweep's, shared; then both items'
    keys, in one order), so it never claims what a concurrent match claims. The rest of the
    pair's ambiguity sets goes back to the cascade, for the next reconciliation.
    """
    with uow:
        _hold_off_sweeps(uow)
        # Whoever holds the keys second finds the first one's claim, void or reversal.
        uow.matches.lock_keys([match.receipt_id], [match.payment_id])
        payment = uow.matches.payment(match.payment_id)
        lines = uow.matches.card_lines(match.receipt_id)
        if payment is None:
            raise NotFound("no such payment")
        if not lines:
            raise NotFound("no such receipt (or it has no card line)")
        line = line_to_settle(lines, payment, match.line_no)
        gone = [
            Violation(name, code, message)
            for name, code, message, is_gone in (
                ("receipt_id", "receipt_voided", "the receipt was voided", lines[0].receipt_status == "voided"),
                ("payment_id", "payment_reversed", "the payment was reversed", payment.status == "reversed"),
            )
            if is_gone
        ]
        if gone:
            raise ValidationFailed("a voided receipt or a reversed payment is never matched", gone)
        if payment.status == "matched" or line.payment_id is not None:
            raise AlreadyMatched(_ALREADY_MATCHED)
        if not uow.matches.claim_by_hand(match.receipt_id, line.line_no, match.payment_id):
            raise AlreadyMatched(_ALREADY_MATCHED)  # matched meanwhile, by a matcher that held the keys first
        view = {"receipt_id": str(match.receipt_id), "payment_id": str(match.payment_id), "match_rule": MANUAL}
        uow.record(
            events.Event(
                events.MATCH_SETTLED,
                match.payment_id,
                {**view, "line_no": line.line_no, "settled_at": datetime.now(UTC).isoformat()},
            )
        )
        uow.audit.record(actor, "match.settled", "payment", match.payment_id)
        uow.commit()
    return view


def unlink_match(payment_id: uuid.UUID, actor: Actor, uow: UnitOfWork) -> dict[str, str]:
    """The operator undoes a match of any rule: both sides are unmatched again, the bank is
    told (receipt.unlinked, reason operator), and matching never links the pair again."""
    with uow:
        _hold_off_sweeps(uow)
        matched = uow.matches.matched(payment_id)
        if matched is None:
            raise NotFound("this payment is not matched")
        uow.matches.unlink(payment_id, matched.receipt_id)
        uow.callbacks.record_unlinked(payment_id, matched.receipt_id, reason="operator")
        view = {
            "receipt_id": str(matched.receipt_id),
            "payment_id": str(payment_id),
            "match_rule": matched.match_rule,
            "status": "unlinked",
        }
        uow.record(
            events.Event(
                events.MATCH_UNLINKED,
                payment_id,
                {
                    **view,
                    "unlink_id": str(uuid.uuid4()),
                    "reason": "operator",
                    "bank_id": str(matched.bank_id),
                    "merchant_id": str(matched.merchant_id),
                    "transaction_date": matched.transaction_date.isoformat(),
                    "unlinked_at": datetime.now(UTC).isoformat(),
                },
            )
        )
        uow.audit.record(actor, "match.unlinked", "payment", payment_id)
        uow.commit()
    return view


def erase_account(bank: Party, account_ref: str, actor: Actor, uow: UnitOfWork) -> dict[str, str | int]:
    """Erase a cardholder account of the bank from every store of the platform
    (shared.write.erasure); the audit trail names the erasure, never the account."""
    erasure_id = uuid.uuid4()
    with uow:
        payments = uow.erasures.erase(bank.id, account_ref)
        uow.record(
            events.Event(
                events.ACCOUNT_ERASED,
                erasure_id,
                {"erasure_id": str(erasure_id), "bank_id": str(bank.id), "payments": payments},
            )
        )
        uow.audit.record(actor, "account.erased", "erasure", erasure_id)
        uow.commit()
    return {"erasure_id": str(erasure_id), "payments": payments, "status": "erased"}


def audit_dead_letters(action: str, event_ids: list[str], uow: UnitOfWork) -> None:
    """The operator's redrive or discard of dead letters, by an admin process."""
    with uow:
        for event_id in event_ids:
            uow.audit.record(OPERATOR, action, "dead_letter", event_id)
        uow.commit()


# The events after which a payment may have callbacks due: matched, unlinked (by a
# clearing, a reversal or the operator), or its receipt voided.
_CALLING_BACK = (
    events.PAYMENT_MATCHED,
    events.PAYMENT_CLEARED,
    events.PAYMENT_REVERSED,
    events.PAYMENT_UNMATCHED,
    events.MATCH_UNLINKED,
)


def deliver_callbacks(event: dict[str, Any], uow: UnitOfWork, send: callbacks.Send = callbacks.post) -> None:
    """Call back the bank and the merchant of a matched payment (and the bank of a payment
    a clearing, a reversal or the operator unlinked, or whose receipt was voided);
    DeliveryPending while a receiver has not taken its callback yet (the trigger retries
    with backoff)."""
    pending = deliver_callbacks_together([event], uow, send)
    if pending:
        raise pending[event["id"]]


def deliver_callbacks_together(
    batch: list[dict[str, Any]], uow: UnitOfWork, send: callbacks.Send = callbacks.post
) -> dict[str, DeliveryPending]:
    """deliver_callbacks for a batch of events in two short transactions, whatever its size;
    the events whose callbacks a receiver has not taken yet, by id (for the trigger to retry)."""
    calling_back = [(event, uuid.UUID(event["subject"])) for event in batch if event["type"] in _CALLING_BACK]
    if not calling_back:
        return {}
    # The callbacks are recorded (a match's; a clearing, a reversal, a void or an operator
    # that unlinked the payment recorded the bank's itself) and leased in one short transaction, sent with
    # none open (a slow receiver holds no database connection), and answered in another.
    with uow:
        uow.callbacks.record_for_payments(
            [payment_id for event, payment_id in calling_back if event["type"] == events.PAYMENT_MATCHED]
        )
        leased = uow.callbacks.lease_due([payment_id for _event, payment_id in calling_back])
        uow.commit()
    sent = {payment_id: callbacks.send_leased(due, send) for payment_id, due in leased.items()}
    pending = {}
    with uow:
        answered = uow.callbacks.record_answers(sent)
        for payment_id, attempts in answered.items():
            for callback in attempts.finished:
                event_type = events.CALLBACK_DELIVERED if callback["status"] == "delivered" else events.CALLBACK_FAILED
                uow.record(events.Event(event_type, uuid.UUID(callback["callback_id"]), callback))
            for kind, state in attempts.disabled:
                logs.event(_log, "callback.endpoint_gone", logging.WARNING, party_kind=kind, party_id=str(state.id))
                _record_party(uow, Party(kind, state.id), state)
        for event, payment_id in calling_back:  # two events of one payment both wait for its callbacks
            if still := answered[payment_id].pending:
                pending[event["id"]] = DeliveryPending(f"{still} callback(s) of payment {payment_id} not delivered yet")
        uow.commit()
    for party, outcome in callbacks.outcomes(sent, answered):
        metrics.callback(party, outcome)
    return pending


def look_up_receipt(bank: Party, line: StatementLine, uow: UnitOfWork) -> dict[str, Any]:
    """The one receipt a bank's statement line leads to (shaped as results.LookupAnswer):
    NotFound when none fits, Ambiguous when look-alikes do (the first rule of the cascade
    that finds any decides; shared.write.lookup)."""
    with uow:
        rule, receipt_ids = uow.lookups.first_fitting_rule(bank.id, line.card(), settings().tip_share)
        # The outcome only: no card data in the log.
        logs.event(_log, "lookup.answered", bank_id=str(bank.id), rule=rule, candidates=len(receipt_ids))
        if not receipt_ids:
            raise NotFound("no receipt fits this statement line")
        if len(receipt_ids) > 1:
            raise Ambiguous(f"more than one receipt fits this statement line under the {rule} rule; none is picked")
        receipt = uow.lookups.itemised_receipt(receipt_ids[0])
    return {"receipt": receipt, **results.receipt_links(settings().public_url, receipt_ids[0]), "match_rule": rule}


def reconcile(uow: UnitOfWork) -> reconciliation.Run:
    """One reconciliation run (shared.write.reconciliation); its events are published at once."""
    with uow.sweeping():
        run = reconciliation.reconcile(uow)
        uow.record(events.Event(events.RECONCILIATION_COMPLETED, run.id, run.summary()))
        uow.commit()
    for rule, by_card_key in run.card_keys.items():
        for card_key, payments in by_card_key.items():
            metrics.matched(rule, card_key, payments)
    # The run's matches, expiries and restatements wait in the outbox: send them now
    # rather than after the relay's grace period.
    outbox.relay(uow.engine, grace_seconds=0)
    return run


def _check_replay(stored: Stored, fingerprint: str, key_name: str) -> None:
    if stored.fingerprint != fingerprint:
        raise IdempotencyConflict(f"this {key_name} was already submitted with a different body")
