"""Callbacks (SPEC §6): signed webhooks to the bank and the merchant of each match.

Delivery is at-least-once. Each callback is a row of the write model with a stable id (the
event id receivers dedupe on) and the exact body that is signed and sent at every
attempt. The function delivering them answers 503 while any is pending, so the queue
trigger calls it again with exponential backoff (template.yaml's retry annotations:
1 s doubling, capped at 1 h); a callback still failing after the retry window (24 h) is
marked failed, and reported.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import urlsplit

from sqlalchemy import Connection, text

from shared import auth
from shared.config import settings

SIGNATURE_HEADER = "Receipts-Signature"
EVENT_ID_HEADER = "Receipts-Event-Id"
SIGNATURE_TOLERANCE_SECONDS = 300
_CALLBACK_NAMESPACE = uuid.UUID("8c0f3f6e-2b4d-4d8e-9a51-6f1f0b2e7c44")


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The Receipts-Signature header: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "t.body")>."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, now: float | None = None,
           tolerance: int = SIGNATURE_TOLERANCE_SECONDS) -> bool:
    """What a receiver checks: the signature matches the raw body and is recent."""
    try:
        parts = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, body, timestamp), f"t={timestamp},v1={parts.get('v1', '')}")


def customer_id(merchant_id: uuid.UUID | str, bank_id: uuid.UUID | str, account_ref: str) -> str:
    """Pseudonymous and stable per (merchant, cardholder account); two merchants get
    different ids for the same account, and none can be reversed without PLATFORM_SECRET."""
    key = settings().require_platform_secret()
    message = f"customer:{merchant_id}:{bank_id}:{account_ref}".encode()
    return "cus_" + hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


MATCHED = "receipt.matched"
UNLINKED = "receipt.unlinked"


def callback_id(payment_id: uuid.UUID | str, receipt_id: uuid.UUID | str, party_kind: str,
                kind: str = MATCHED) -> uuid.UUID:
    """One callback per party, link and kind: a payment re-linked to another receipt
    (after clearing) calls back again, under a new event id."""
    name = f"{payment_id}:{receipt_id}:{party_kind}" + ("" if kind == MATCHED else f":{kind}")
    return uuid.uuid5(_CALLBACK_NAMESPACE, name)


_MATCH = text(
    """
    SELECT p.id AS payment_id, p.document AS payment, p.bank_id, b.callback_url AS bank_url,
           r.id AS receipt_id, r.document AS receipt, r.merchant_id, m.name AS merchant_name,
           m.callback_url AS merchant_url
    FROM payments p
    JOIN receipts r ON r.id = p.receipt_id
    JOIN banks b ON b.id = p.bank_id
    JOIN merchants m ON m.id = r.merchant_id
    WHERE p.id = :payment_id AND p.status = 'matched'
    """
)

_RECORD = text(
    """
    INSERT INTO callbacks (id, payment_id, receipt_id, party_kind, party_id, url, body, kind)
    VALUES (:id, :payment_id, :receipt_id, :party_kind, :party_id, :url, :body, :kind)
    ON CONFLICT (payment_id, receipt_id, party_kind, kind) DO NOTHING
    """
)

_UNLINKED = text(
    """
    SELECT p.id AS payment_id, p.bank_payment_id, p.account_ref, p.amount, p.authorised_amount, p.bank_id,
           b.callback_url AS bank_url
    FROM payments p JOIN banks b ON b.id = p.bank_id
    WHERE p.id = :payment_id
    """
)

_PENDING = text(
    "SELECT id, party_kind, party_id, url, body, attempts, created_at FROM callbacks"
    " WHERE payment_id = :payment_id AND status = 'pending' ORDER BY party_kind FOR UPDATE SKIP LOCKED"
)

_FINISH = text(
    "UPDATE callbacks SET status = :status, attempts = attempts + 1, last_error = :error,"
    " finished_at = CASE WHEN :status = 'pending' THEN NULL ELSE now() END WHERE id = :id"
)


def record_for_payment(connection: Connection, payment_id: uuid.UUID) -> int:
    """Write the bank's and the merchant's callbacks of a matched payment (once per link)."""
    match = connection.execute(_MATCH, {"payment_id": payment_id}).one_or_none()
    if match is None:
        return 0
    created_at = datetime.now(timezone.utc).isoformat()
    receipt, payment = match.receipt, match.payment
    itemised = {
        "id": str(match.receipt_id),
        "merchant": {"id": str(match.merchant_id), "name": match.merchant_name},
        **{key: receipt[key] for key in ("merchant_receipt_id", "issued_at", "currency", "lines", "totals", "payments")},
    }
    bodies = {
        "bank": (match.bank_id, match.bank_url, {
            "payment_id": str(match.payment_id),
            "bank_payment_id": payment["bank_payment_id"],
            "account_ref": payment["account_ref"],
            "receipt": itemised,
            "receipt_url": f"{settings().public_url}/v1/receipts/{match.receipt_id}",
        }),
        "merchant": (match.merchant_id, match.merchant_url, {
            "receipt_id": str(match.receipt_id),
            "merchant_receipt_id": receipt["merchant_receipt_id"],
            "customer_id": customer_id(match.merchant_id, match.bank_id, payment["account_ref"]),
        }),
    }
    for party_kind, (party_id, url, data) in bodies.items():
        _record(connection, MATCHED, match.payment_id, match.receipt_id, party_kind, party_id, url, data, created_at)
    return len(bodies)


def record_unlinked(connection: Connection, payment_id: uuid.UUID, receipt_id: uuid.UUID) -> None:
    """Write the bank's callback saying a clearing unlinked its payment from receipt_id
    (in the clearing's transaction). A new match calls back again with the new receipt."""
    payment = connection.execute(_UNLINKED, {"payment_id": payment_id}).one()
    _record(connection, UNLINKED, payment_id, receipt_id, "bank", payment.bank_id, payment.bank_url, {
        "payment_id": str(payment_id), "bank_payment_id": payment.bank_payment_id,
        "account_ref": payment.account_ref, "receipt_id": str(receipt_id), "reason": "clearing",
        "amount": payment.amount, "authorised_amount": payment.authorised_amount,
    }, datetime.now(timezone.utc).isoformat())


def _record(connection: Connection, kind: str, payment_id, receipt_id, party_kind: str, party_id, url: str,
            data: dict, created_at: str) -> None:
    """Write one callback (once): its event id and the exact body every attempt sends."""
    event_id = callback_id(payment_id, receipt_id, party_kind, kind)
    body = {"id": str(event_id), "type": kind, "created_at": created_at, "data": data}
    connection.execute(_RECORD, {
        "id": event_id, "payment_id": payment_id, "receipt_id": receipt_id, "party_kind": party_kind,
        "party_id": party_id, "url": url, "body": json.dumps(body, separators=(",", ":")), "kind": kind,
    })


def post(url: str, body: bytes, headers: dict, timeout: float = 10.0) -> tuple[bool, str]:
    """POST once, following no redirect: (delivered, what went wrong)."""
    parts = urlsplit(url)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", path, body, {"Content-Type": "application/json", **headers})
        response = connection.getresponse()
        response.read(4096)
        return 200 <= response.status < 300, f"HTTP {response.status}"
    except (OSError, http.client.HTTPException) as error:
        return False, type(error).__name__
    finally:
        connection.close()


def attempt(connection: Connection, payment_id: uuid.UUID, send=post) -> tuple[list[dict], int]:
    """Try every pending callback of a payment once, in the caller's transaction.

    Returns the callbacks that finished (delivered or failed: their events are the
    caller's to record) and how many are still pending.
    """
    finished, pending = [], 0
    window = settings().callback_window_seconds
    for callback in connection.execute(_PENDING, {"payment_id": payment_id}).all():
        secret = auth.webhook_secret(callback.party_id)
        body = callback.body.encode()
        delivered, error = send(callback.url, body, {
            SIGNATURE_HEADER: sign(secret, body), EVENT_ID_HEADER: str(callback.id)})
        expired = (datetime.now(timezone.utc) - callback.created_at).total_seconds() >= window
        status = "delivered" if delivered else "failed" if expired else "pending"
        connection.execute(_FINISH, {"id": callback.id, "status": status, "error": None if delivered else error})
        if status == "pending":
            pending += 1
        else:
            finished.append({"callback_id": str(callback.id), "payment_id": str(payment_id),
                             "party_kind": callback.party_kind, "party_id": str(callback.party_id),
                             "status": status, "attempts": callback.attempts + 1,
                             "last_error": None if delivered else error})
    return finished, pending
