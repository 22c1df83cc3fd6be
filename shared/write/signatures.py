"""Webhook signatures: what a callback carries so its receiver can tell it
came from the platform, unaltered and recent.

Every attempt is signed twice, with each of the party's secrets (two during a rotation's
grace period): Receipts-Signature, an HMAC-SHA256 over the timestamp and the raw body, and
the Standard Webhooks headers, which that project's libraries verify as they are.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

SIGNATURE_HEADER = "Receipts-Signature"
EVENT_ID_HEADER = "Receipts-Event-Id"
SIGNATURE_TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The Receipts-Signature header: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "t.body")>."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={_receipts_digest(secret, body, timestamp)}"


def verify(
    secret: str, header: str, body: bytes, now: float | None = None, tolerance: int = SIGNATURE_TOLERANCE_SECONDS
) -> bool:
    """What a receiver checks: one of the header's signatures matches the raw body (two
    during a rotation's grace period), and it is recent."""
    try:
        parts = [part.split("=", 1) for part in header.split(",")]
        [timestamp] = [int(value) for name, value in parts if name == "t"]
    except ValueError:
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = _receipts_digest(secret, body, timestamp)
    return any(hmac.compare_digest(expected, value) for name, value in parts if name == "v1")


def headers(event_id: str, body: bytes, secrets: list[str], timestamp: int | None = None) -> dict[str, str]:
    """Every signature header of one attempt, signed with each of secrets (newest first):
    Receipts-Signature and the Standard Webhooks headers."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{event_id}.{timestamp}.".encode() + body
    return {
        SIGNATURE_HEADER: f"t={timestamp},"
        + ",".join(f"v1={_receipts_digest(secret, body, timestamp)}" for secret in secrets),
        EVENT_ID_HEADER: event_id,
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            "v1," + base64.b64encode(hmac.new(_standard_key(secret), signed, hashlib.sha256).digest()).decode()
            for secret in secrets
        ),
    }


def _receipts_digest(secret: str, body: bytes, timestamp: int) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _standard_key(secret: str) -> bytes:
    """Standard Webhooks' key: the base64 decoding of the secret after its whsec_ prefix."""
    return base64.b64decode(secret.removeprefix("whsec_") + "==")
