"""The platform's error hierarchy. shared.http maps each class to its HTTP status."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    """One broken rule of a request: where, which rule, and what to do about it."""

    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


class ReceiptsError(Exception):
    code = "error"

    def __init__(self, message: str, details: list[Violation] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


class MalformedRequest(ReceiptsError):
    code = "malformed_json"


class MalformedDocument(MalformedRequest):
    """An XML document that does not parse, or that declares a DTD or entities (refused
    unread: they are how XML reads a machine's files or expands to gigabytes)."""

    code = "malformed_xml"


class Unauthenticated(ReceiptsError):
    code = "unauthenticated"


class InvalidKey(Unauthenticated):
    """A key the platform does not know: never issued, or deleted."""

    code = "invalid_key"


class KeyExpired(Unauthenticated):
    code = "key_expired"


class Forbidden(ReceiptsError):
    code = "forbidden"


class CertificateMismatch(Forbidden):
    """A bank bound to its client certificate's subject called with another certificate or none."""

    code = "client_certificate_mismatch"


class NotFound(ReceiptsError):
    code = "not_found"


class MethodNotAllowed(ReceiptsError):
    code = "method_not_allowed"


class IdempotencyConflict(ReceiptsError):
    code = "idempotency_conflict"


class PayloadTooLarge(ReceiptsError):
    code = "payload_too_large"


class UnsupportedMediaType(ReceiptsError):
    code = "unsupported_media_type"


class NotAcceptable(ReceiptsError):
    """None of the representations the client accepts is offered (406)."""

    code = "not_acceptable"


class AlreadyMatched(ReceiptsError):
    """The operator's match names an item that is matched already (unlink it first)."""

    code = "already_matched"


class LastKey(ReceiptsError):
    """A party's last live API key cannot be deleted: it would be locked out."""

    code = "last_key"


class Ambiguous(ReceiptsError):
    """More than one item fits: none is picked (look-ups never guess)."""

    code = "ambiguous"


class ValidationFailed(ReceiptsError):
    code = "validation_failed"


class ServiceUnavailable(ReceiptsError):
    code = "service_unavailable"


class PoisonEvent(ReceiptsError):
    """An event no retry can apply (malformed data, an impossible state): dead-letter it."""

    code = "poison_event"


class DeliveryPending(ReceiptsError):
    """Some work of an event could not be finished yet (a callback receiver is down):
    the trigger calls again later, with backoff."""

    code = "delivery_pending"
