"""API keys and webhook secrets: generated here, shown once, never stored in the clear."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

from shared.domain.errors import CertificateMismatch, Forbidden, InvalidKey, KeyExpired, Unauthenticated
from shared.domain.parties import Party, PartyKind
from shared.platform import logs
from shared.platform.config import settings
from shared.platform.db import write_engine
from shared.write.repositories import Parties

_log = logs.get("auth")

# Recognisable by kind, so that secret scanners find a leaked key (keys issued before kept
# their shorter prefix, mk_ and bk_, and still work).
_KEY_PREFIX = {"merchant": "rcpt_mk_", "bank": "rcpt_bk_"}
# A key, once verified, is trusted for this long by each process (saves a query per call):
# a deleted key is refused everywhere within it.
KEY_CACHE_SECONDS = 1.0
# How long a rotated-out webhook secret keeps signing beside the new one (SPEC §10).
ROTATION_GRACE = timedelta(hours=24)


def new_api_key(kind: PartyKind) -> str:
    return _KEY_PREFIX[kind] + secrets.token_urlsafe(32)


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def shown(api_key: str) -> str:
    """What of a key may be shown again: its prefix and last 4 characters."""
    prefix = next(prefix for prefix in _KEY_PREFIX.values() if api_key.startswith(prefix))
    return f"{prefix}…{api_key[-4:]}"


def webhook_secret(party_id: uuid.UUID, version: int = 1) -> str:
    """Derived, not stored: only a holder of PLATFORM_SECRET can recompute it.

    The part after whsec_ is hex, which is also valid base64: Standard Webhooks libraries
    take the secret as it is (their key is its base64 decoding, as signatures.py signs)."""
    key = settings().require_platform_secret()
    return "whsec_" + hmac.new(key, f"webhook:{party_id}:{version}".encode(), hashlib.sha256).hexdigest()


def signing_secrets(
    party_id: uuid.UUID, version: int, rotated_at: datetime | None, now: datetime | None = None
) -> list[str]:
    """The secrets a party's callbacks are signed with, newest first: for ROTATION_GRACE
    after a rotation the previous one too, so receivers can switch without downtime."""
    now = now or datetime.now(UTC)
    in_grace = version > 1 and rotated_at is not None and now - rotated_at < ROTATION_GRACE
    return [webhook_secret(party_id, version)] + ([webhook_secret(party_id, version - 1)] if in_grace else [])


def bearer_key(authorization: str | None) -> str:
    scheme, _, key = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthenticated("send the API key as 'Authorization: Bearer <api_key>'")
    return key.strip()


def authenticate_admin(authorization: str | None) -> None:
    key = bearer_key(authorization)
    expected = settings().admin_api_key
    if expected is None:
        raise Unauthenticated("the admin API is disabled: ADMIN_API_KEY is not set")
    if hmac.compare_digest(key.encode(), expected.encode()):
        return
    if _party_for(key, None) is not None:
        raise Forbidden("this endpoint takes the operator key, not a merchant or bank key")
    raise InvalidKey("unknown API key")


def authenticate_party_or_operator(authorization: str | None, certificate_subject: str | None) -> Party | None:
    """The calling merchant or bank, or None for the operator key. certificate_subject: the
    client certificate the gateway verified, if any."""
    key = bearer_key(authorization)
    admin = settings().admin_api_key
    if admin is not None and hmac.compare_digest(key.encode(), admin.encode()):
        return None
    party = _party_for(key, certificate_subject)
    if party is None:
        raise InvalidKey("unknown API key")
    return party


def authenticate(authorization: str | None, certificate_subject: str | None, *kinds: PartyKind) -> Party:
    key = bearer_key(authorization)
    party = _party_for(key, certificate_subject)
    wanted = " or ".join(kinds)
    if party is None:
        admin = settings().admin_api_key
        if admin is not None and hmac.compare_digest(key.encode(), admin.encode()):
            raise Forbidden(f"this endpoint takes a {wanted} key, not the operator key")
        raise InvalidKey("unknown API key")
    if party.kind not in kinds:
        raise Forbidden(f"this endpoint takes a {wanted} key, not a {party.kind} key")
    return party


# key hash -> (its party, when it expires, the certificate subject it is bound to, until when it is trusted)
_verified: dict[str, tuple[Party, datetime | None, str | None, float]] = {}
_verified_lock = threading.Lock()


def _party_for(key: str, certificate_subject: str | None) -> Party | None:
    """The party whose live key this is; None if it is none; KeyExpired past its expiry;
    CertificateMismatch for a bank bound to another client certificate than the call's."""
    key_hash = hash_api_key(key)
    now = time.monotonic()
    cached = _verified.get(key_hash)
    if cached is None or cached[3] <= now:
        with write_engine().connect() as connection:
            found = Parties(connection).by_key_hash(key_hash)
        if found is None:
            return None
        party = Party(found.party_kind, found.party_id, found.key_id)
        cached = (party, found.expires_at, found.client_cert_subject, now + KEY_CACHE_SECONDS)
        with _verified_lock:
            _verified[key_hash] = cached
    party, expires_at, bound_subject, _ = cached
    if expires_at is not None and expires_at <= datetime.now(UTC):
        raise KeyExpired("this API key has expired: ask the operator for a new one")
    if bound_subject is not None and certificate_subject != bound_subject:
        raise CertificateMismatch("this bank's keys work only with its client certificate: call with it")
    _note_use(key_hash)
    return party


# When each key was last used, to the minute (GET …/api-keys shows it): noted at most once a
# minute per key by each process, and written by a thread of its own, never on a request's
# path. Best effort: a use whose write failed is noted again at the key's next call.
_noted: dict[str, int] = {}  # key hash -> the minute its use was last noted
_unwritten: set[str] = set()
_unwritten_ready = threading.Condition()
_writer: threading.Thread | None = None


def _note_use(key_hash: str) -> None:
    global _writer
    minute = int(time.time() // 60)
    if _noted.get(key_hash) == minute:
        return
    _noted[key_hash] = minute
    with _unwritten_ready:
        _unwritten.add(key_hash)
        if _writer is None:
            _writer = threading.Thread(target=_write_uses, name="api-key-uses", daemon=True)
            _writer.start()
        _unwritten_ready.notify()


def _write_uses() -> None:
    while True:
        with _unwritten_ready:
            _unwritten_ready.wait_for(lambda: bool(_unwritten))
            hashes = list(_unwritten)
            _unwritten.clear()
        try:
            with write_engine().begin() as connection:
                Parties(connection).note_uses(hashes)
        except Exception as error:
            for key_hash in hashes:
                _noted.pop(key_hash, None)
            logs.event(_log, "api_keys.last_used_not_written", logging.WARNING, keys=len(hashes), error=repr(error))


def _forget_in_child() -> None:
    """A forked process starts with no writer thread (threads do not survive a fork) and
    nothing noted."""
    global _writer, _unwritten_ready
    _writer, _unwritten_ready = None, threading.Condition()
    _unwritten.clear()
    _noted.clear()


os.register_at_fork(after_in_child=_forget_in_child)


def customer_id(merchant_id: uuid.UUID | str, bank_id: uuid.UUID | str, account_ref: str) -> str:
    """Pseudonymous and stable per (merchant, cardholder account); two merchants get
    different ids for the same account, and none can be reversed without PLATFORM_SECRET."""
    key = settings().require_platform_secret()
    message = f"customer:{merchant_id}:{bank_id}:{account_ref}".encode()
    return "cus_" + hmac.new(key, message, hashlib.sha256).hexdigest()[:32]
