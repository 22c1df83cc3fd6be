"""Callbacks (SPEC §6): signed webhooks to the bank and the merchant of each match.

Delivery is at-least-once. Each callback is a row of the write model with a stable id (the
event id receivers dedupe on) and the exact body that is signed and sent at every
attempt. The function delivering them answers 503 while any is pending, so the queue
trigger calls it again with exponential backoff (template.yaml's retry annotations:
1 s doubling, capped at 1 h); a callback still failing after the retry window (24 h) is
marked failed, and reported.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from sqlalchemy import Connection, Row, text

from shared.domain import legal, receipts
from shared.domain.parties import Party, PartyKind
from shared.platform import destinations, outbound
from shared.platform.config import settings
from shared.write import auth, results, signatures
from shared.write.repositories import Parties

_CALLBACK_NAMESPACE = uuid.UUID("8c0f3f6e-2b4d-4d8e-9a51-6f1f0b2e7c44")


MATCHED = "receipt.matched"
UNLINKED = "receipt.unlinked"
VOIDED = "receipt.voided"


def callback_id(
    payment_id: uuid.UUID | str, receipt_id: uuid.UUID | str, party_kind: str, kind: str = MATCHED
) -> uuid.UUID:
    """One callback per party, link and kind: a payment re-linked to another receipt
    (after clearing) calls back again, under a new event id."""
    name = f"{payment_id}:{receipt_id}:{party_kind}" + ("" if kind == MATCHED else f":{kind}")
    return uuid.uuid5(_CALLBACK_NAMESPACE, name)


_MATCH = text(
    """
    SELECT p.id AS payment_id, p.document AS payment, p.bank_id, b.callback_url AS bank_url,
           r.id AS receipt_id, r.document AS receipt, r.merchant_id, m.name AS merchant_name,
           m.identity - 'logo' - 'kivra_service_id' AS merchant_identity,
           m.callback_url AS merchant_url
    FROM payments p
    JOIN receipts r ON r.id = p.receipt_id
    JOIN banks b ON b.id = p.bank_id
    JOIN merchants m ON m.id = r.merchant_id
    WHERE p.id = ANY(CAST(:payment_ids AS uuid[])) AND p.status = 'matched'
    """
)

_RECORD = text(
    """
    INSERT INTO callbacks (id, payment_id, receipt_id, party_kind, party_id, url, body, kind)
    SELECT id, payment_id, receipt_id, party_kind, party_id, url, body, kind
    FROM jsonb_to_recordset(CAST(:callbacks AS jsonb)) AS c(
        id uuid, payment_id uuid, receipt_id uuid, party_kind text, party_id uuid, url text, body text, kind text)
    ON CONFLICT (payment_id, receipt_id, party_kind, kind) DO NOTHING
    """
)

_BANK_OF_PAYMENT = text(
    """
    SELECT p.id AS payment_id, p.bank_payment_id, p.account_ref, p.amount, p.authorised_amount, p.bank_id,
           b.callback_url AS bank_url
    FROM payments p JOIN banks b ON b.id = p.bank_id
    WHERE p.id = :payment_id
    """
)

# The payments' callbacks that are due (not held back by a Retry-After, not leased to another
# attempt), leased for this attempt. They go to their party's endpoint as it is now (a PATCH
# may have moved it), signed with its secrets as they are now (a rotation may have added one).
_LEASE_DUE = text(
    """
    WITH due AS (
        SELECT id FROM callbacks
        WHERE payment_id = ANY(CAST(:payment_ids AS uuid[])) AND status = 'pending'
          AND (leased_until IS NULL OR leased_until < now()) AND (next_attempt_at IS NULL OR next_attempt_at <= now())
        ORDER BY id FOR UPDATE SKIP LOCKED
    ), leased AS (
        UPDATE callbacks c SET leased_until = now() + make_interval(secs => :lease_seconds) FROM due
        WHERE c.id = due.id
        RETURNING c.id, c.payment_id, c.party_kind, c.party_id, c.body, c.attempts, c.created_at, c.url
    )
    SELECT c.id, c.payment_id, c.party_kind, c.party_id, c.body, c.attempts, c.created_at,
           coalesce(m.callback_url, b.callback_url, c.url) AS url,
           coalesce(m.webhook_secret_version, b.webhook_secret_version) AS secret_version,
           coalesce(m.webhook_secret_rotated_at, b.webhook_secret_rotated_at) AS secret_rotated_at,
           coalesce(m.endpoint_gone_at, b.endpoint_gone_at) AS endpoint_gone_at
    FROM leased c
    LEFT JOIN merchants m ON c.party_kind = 'merchant' AND m.id = c.party_id
    LEFT JOIN banks b ON c.party_kind = 'bank' AND b.id = c.party_id
    ORDER BY c.payment_id, c.party_kind
    """
)
# Two sends of 10 s at the most fit in it with room.
LEASE_SECONDS = 60

_FINISH = text(
    """
    UPDATE callbacks c SET status = a.status, attempts = c.attempts + a.tried, last_error = a.error, url = a.url,
           next_attempt_at = a.next_attempt_at, leased_until = NULL,
           finished_at = CASE WHEN a.status = 'pending' THEN NULL ELSE now() END
    FROM jsonb_to_recordset(CAST(:answers AS jsonb)) AS a(
        id uuid, status text, tried int, error text, url text, next_attempt_at timestamptz)
    WHERE c.id = a.id AND c.status = 'pending'
    RETURNING c.id
    """
)

_STILL_PENDING = text(
    "SELECT payment_id, count(*) FROM callbacks"
    " WHERE payment_id = ANY(CAST(:payment_ids AS uuid[])) AND status = 'pending' GROUP BY payment_id"
)


def itemised_receipt(
    receipt_id: uuid.UUID,
    merchant_id: uuid.UUID,
    merchant_name: str,
    document: dict[str, Any],
    identity: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The receipt as a bank is given it (SPEC §6): merchant, lines, totals, masked card lines."""
    receipt: dict[str, Any] = {
        "id": str(receipt_id),
        "merchant": {"id": str(merchant_id), "name": merchant_name, **(identity or {})},
        **{
            key: document[key]
            for key in ("merchant_receipt_id", "issued_at", "currency", "lines", "totals", "payments")
            if key in document
        },
        **receipts.extras(document),
    }
    receipt["legal"] = legal.judge(receipt)
    return receipt


def _callback(
    kind: str,
    payment_id: uuid.UUID,
    receipt_id: uuid.UUID,
    party_kind: str,
    party_id: uuid.UUID,
    url: str,
    data: dict[str, Any],
    created_at: str,
) -> dict[str, str]:
    """One callback's row: its event id and the exact body every attempt sends."""
    event_id = callback_id(payment_id, receipt_id, party_kind, kind)
    body = {"id": str(event_id), "type": kind, "created_at": created_at, "data": data}
    return {
        "id": str(event_id),
        "payment_id": str(payment_id),
        "receipt_id": str(receipt_id),
        "party_kind": party_kind,
        "party_id": str(party_id),
        "url": url,
        "body": json.dumps(body, separators=(",", ":")),
        "kind": kind,
    }


ENDPOINT_GONE = "endpoint_gone"


@dataclass(frozen=True)
class Answer:
    """A receiver's answer to one attempt; status None when none came."""

    status: int | None
    error: str | None = None
    retry_after: float | None = None  # seconds a 429 or 503 asked for

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


_MAX_ANSWER_BYTES = 64 * 1024  # a receiver's answer is read (to reuse its connection) up to this


def post(url: str, body: bytes, headers: Mapping[str, str], timeout: float = 10.0) -> Answer:
    """POST once, following no redirect, on a kept-alive connection to the receiver where
    one is open (shared.platform.outbound), to an address the URL may lead to (checked
    again now: shared.platform.destinations), with the receiver's certificate verified."""
    try:
        address = destinations.destination(url)
        response = outbound.post(
            url, body, {"Content-Type": "application/json", **headers}, timeout, _MAX_ANSWER_BYTES, address
        )
    except destinations.Refused as refused:
        return Answer(None, f"refused: {refused}")
    except outbound.FAILED as error:
        return Answer(None, type(error).__name__)
    retry_after = _seconds(response.headers.get("Retry-After")) if response.status in (429, 503) else None
    return Answer(response.status, f"HTTP {response.status}", retry_after)


# How a callback is sent: post, or a test's stand-in for it.
Send = Callable[[str, bytes, Mapping[str, str]], Answer]


def _seconds(retry_after: str | None) -> float | None:
    """A Retry-After header (delay-seconds or an HTTP date) as seconds from now."""
    if not retry_after:
        return None
    if retry_after.strip().isdigit():
        return float(retry_after)
    try:
        return max(0.0, (parsedate_to_datetime(retry_after) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


@dataclass
class Attempts:
    """What trying a payment's pending callbacks came to."""

    finished: list[dict[str, Any]] = field(default_factory=list)  # delivered or failed: their events are the caller's
    pending: int = 0  # still to deliver (held back, leased to another attempt, or not taken)
    # (kind, new state) of parties whose endpoint answered 410
    disabled: list[tuple[PartyKind, Row[Any]]] = field(default_factory=list)


@dataclass(frozen=True)
class Sent:
    """One leased callback and the receiver's answer (None: not sent, its endpoint is gone)."""

    callback: Row[Any]  # a row of lease_due's
    answer: Answer | None


def send_leased(leased: Sequence[Row[Any]], send: Send = post, now: datetime | None = None) -> list[Sent]:
    """Send each leased callback once, signed, with no transaction open: never to an
    endpoint that answered 410 (until its callback_url changes)."""
    now = now or datetime.now(UTC)
    sent = []
    for callback in leased:
        if callback.endpoint_gone_at is not None:
            sent.append(Sent(callback, None))
            continue
        body = callback.body.encode()
        secrets = auth.signing_secrets(callback.party_id, callback.secret_version, callback.secret_rotated_at, now)
        sent.append(Sent(callback, send(callback.url, body, signatures.headers(str(callback.id), body, secrets))))
    return sent


class Callbacks:
    """The callbacks' rows, on the unit of work's connection: recorded once per link and
    kind, leased for an attempt, and finished with what their receivers answered."""

    def __init__(self, connection: Connection, parties: Parties):
        self.connection = connection
        self._parties = parties  # an endpoint that answers 410 is disabled on its party

    def record_for_payments(self, payment_ids: list[uuid.UUID]) -> int:
        """Write the bank's and the merchant's callbacks of matched payments (once per link),
        in one statement; how many the payments have."""
        created_at = datetime.now(UTC).isoformat()
        recorded = []
        for match in self.connection.execute(_MATCH, {"payment_ids": [str(id_) for id_ in payment_ids]}):
            receipt, payment = match.receipt, match.payment
            itemised = itemised_receipt(
                match.receipt_id, match.merchant_id, match.merchant_name, receipt, match.merchant_identity
            )
            recorded.append(
                _callback(
                    MATCHED,
                    match.payment_id,
                    match.receipt_id,
                    "bank",
                    match.bank_id,
                    match.bank_url,
                    {
                        "payment_id": str(match.payment_id),
                        "bank_payment_id": payment["bank_payment_id"],
                        "account_ref": payment["account_ref"],
                        "receipt": itemised,
                        **results.receipt_links(settings().public_url, match.receipt_id),
                    },
                    created_at,
                )
            )
            recorded.append(
                _callback(
                    MATCHED,
                    match.payment_id,
                    match.receipt_id,
                    "merchant",
                    match.merchant_id,
                    match.merchant_url,
                    {
                        "receipt_id": str(match.receipt_id),
                        "merchant_receipt_id": receipt["merchant_receipt_id"],
                        "customer_id": auth.customer_id(match.merchant_id, match.bank_id, payment["account_ref"]),
                    },
                    created_at,
                )
            )
        self._record(recorded)
        return len(recorded)

    def record_unlinked(self, payment_id: uuid.UUID, receipt_id: uuid.UUID, reason: str = "clearing") -> None:
        """Write the bank's callback saying its payment was unlinked from receipt_id, by a
        clearing, a reversal or the operator (in that transaction). A new match calls back again."""
        payment = self.connection.execute(_BANK_OF_PAYMENT, {"payment_id": payment_id}).one()
        self._record_for_bank(
            UNLINKED,
            payment,
            receipt_id,
            {"reason": reason, "amount": payment.amount, "authorised_amount": payment.authorised_amount},
        )

    def record_voided(self, payment_id: uuid.UUID, receipt_id: uuid.UUID) -> None:
        """Write the bank's callback saying the receipt its payment was matched to was
        voided at the till (in that transaction): its app removes the receipt."""
        payment = self.connection.execute(_BANK_OF_PAYMENT, {"payment_id": payment_id}).one()
        self._record_for_bank(VOIDED, payment, receipt_id, {})

    def _record_for_bank(self, kind: str, payment: Row[Any], receipt_id: uuid.UUID, data: dict[str, Any]) -> None:
        self._record(
            [
                _callback(
                    kind,
                    payment.payment_id,
                    receipt_id,
                    "bank",
                    payment.bank_id,
                    payment.bank_url,
                    {
                        "payment_id": str(payment.payment_id),
                        "bank_payment_id": payment.bank_payment_id,
                        "account_ref": payment.account_ref,
                        "receipt_id": str(receipt_id),
                        **data,
                    },
                    datetime.now(UTC).isoformat(),
                )
            ]
        )

    def _record(self, rows: list[dict[str, str]]) -> None:
        """Write the callbacks (each once: a repeat of a link's changes nothing)."""
        if rows:
            self.connection.execute(_RECORD, {"callbacks": json.dumps(rows)})

    def lease_due(self, payment_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Row[Any]]]:
        """Lease the payments' due callbacks for one attempt, in the caller's (short)
        transaction: each payment's, by payment id."""
        leased: dict[uuid.UUID, list[Row[Any]]] = {payment_id: [] for payment_id in payment_ids}
        for callback in self.connection.execute(
            _LEASE_DUE, {"payment_ids": [str(id_) for id_ in payment_ids], "lease_seconds": LEASE_SECONDS}
        ):
            leased[callback.payment_id].append(callback)
        return leased

    def record_answers(
        self, sent: dict[uuid.UUID, list[Sent]], now: datetime | None = None
    ) -> dict[uuid.UUID, Attempts]:
        """Record what the receivers answered, in the caller's (short) transaction, in one
        statement: what came of each payment's attempt, by payment id.

        A callback still failing past the retry window fails; one whose endpoint is gone fails
        as endpoint_gone; a Retry-After holds the next attempt back until then."""
        now = now or datetime.now(UTC)
        window = settings().callback_window_seconds
        results_by_payment = {payment_id: Attempts() for payment_id in sent}
        answers, finished = [], {}
        for payment_id, one in ((payment_id, one) for payment_id, sent_now in sent.items() for one in sent_now):
            callback, answer = one.callback, one.answer
            tried = answer is not None
            answer = answer or Answer(410)
            gone = answer.status == 410
            if gone and tried:
                party = Party(callback.party_kind, callback.party_id)
                state = self._parties.disable_endpoint(party)
                assert state is not None  # a callback's party exists: parties are never deleted
                results_by_payment[payment_id].disabled.append((party.kind, state))
            expired = (now - callback.created_at).total_seconds() >= window
            status = "delivered" if answer.delivered else "failed" if gone or expired else "pending"
            error = None if answer.delivered else ENDPOINT_GONE if gone else answer.error
            held_back = answer.retry_after if status == "pending" and answer.retry_after else None
            answers.append(
                {
                    "id": str(callback.id),
                    "status": status,
                    "tried": int(tried),
                    "error": error,
                    "url": callback.url,
                    "next_attempt_at": (now + timedelta(seconds=held_back)).isoformat() if held_back else None,
                }
            )
            if status != "pending":
                finished[callback.id] = (
                    payment_id,
                    {
                        "callback_id": str(callback.id),
                        "payment_id": str(payment_id),
                        "party_kind": callback.party_kind,
                        "party_id": str(callback.party_id),
                        "status": status,
                        "attempts": callback.attempts + int(tried),
                        "last_error": error,
                    },
                )
        if answers:
            for (recorded,) in self.connection.execute(_FINISH, {"answers": json.dumps(answers)}):
                if recorded in finished:
                    payment_id, view = finished[recorded]
                    results_by_payment[payment_id].finished.append(view)
        for payment_id, pending in self.connection.execute(_STILL_PENDING, {"payment_ids": [str(id_) for id_ in sent]}):
            results_by_payment[payment_id].pending = pending
        return results_by_payment


def outcomes(sent: dict[uuid.UUID, list[Sent]], answered: dict[uuid.UUID, Attempts]) -> Iterator[tuple[str, str]]:
    """(party kind, outcome) of each callback sent: delivered, failed (for good), or
    retried (to be tried again)."""
    for payment_id, sent_now in sent.items():
        finished = {view["callback_id"]: view["status"] for view in answered[payment_id].finished}
        for one in sent_now:
            if one.answer is not None or str(one.callback.id) in finished:
                yield one.callback.party_kind, finished.get(str(one.callback.id), "retried")
