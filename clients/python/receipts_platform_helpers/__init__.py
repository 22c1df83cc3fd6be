"""What a generator does not make, beside the generated client (receipts_platform_client):
the API's errors as exceptions carrying its error codes, and a pager over its cursors.

    from receipts_platform_client.api.default import list_receipts, submit_receipt
    from receipts_platform_helpers import ValidationFailed, answer, pages

    try:
        accepted = answer(submit_receipt.sync_detailed(client=merchant, body=receipt))
    except ValidationFailed as error:
        print(error.code, [detail["field"] for detail in error.details])
    for page in pages(list_receipts.sync_detailed, client=merchant):
        for receipt in page.items:
            print(receipt.id)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar

from receipts_platform_client.models import ErrorResponse
from receipts_platform_client.types import UNSET, Response, Unset

T = TypeVar("T")


class ApiError(Exception):
    """An answer other than 2xx: its status, the API's error code (invalid_key, rate_limited,
    no_card_payment, …) and message, what a 422 found field by field (details: {"field",
    "code", "message"}), and for a 429 or 503 the seconds to wait (retry_after)."""

    status: int = 0

    def __init__(self, status: int, code: str, message: str, details: list[dict[str, Any]], retry_after: float | None):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.details, self.retry_after = (
            status,
            code,
            message,
            details,
            retry_after,
        )


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class NotAcceptable(ApiError):
    status = 406


class Conflict(ApiError):
    status = 409


class PayloadTooLarge(ApiError):
    status = 413


class UnsupportedMediaType(ApiError):
    status = 415


class ValidationFailed(ApiError):
    status = 422


class RateLimited(ApiError):
    status = 429


class Unavailable(ApiError):
    status = 503


_BY_STATUS: dict[int, type[ApiError]] = {kind.status: kind for kind in ApiError.__subclasses__()}


def answer(response: Response[T | ErrorResponse]) -> T:
    """What a generated operation's sync_detailed answered, or its error raised as an
    ApiError. A 201 (taken) and a 200 (the same again) give the same model: where the two
    differ to the caller, read response.status_code."""
    parsed = response.parsed
    if 200 <= response.status_code < 300 and parsed is not None and not isinstance(parsed, ErrorResponse):
        return parsed
    raise api_error(response)


def api_error(response: Response[Any]) -> ApiError:
    """The ApiError of a non-2xx answer: of its status's kind, carrying the API's error code."""
    try:
        body = json.loads(response.content)["error"]
        code, message, details = body["code"], body["message"], body.get("details", [])
    except (ValueError, KeyError, TypeError):  # not the API's own: a proxy's, say
        code, message, details = "unexpected_answer", response.content[:200].decode(errors="replace"), []
    retry_after = response.headers.get("Retry-After")
    kind = _BY_STATUS.get(response.status_code, ApiError)
    return kind(
        response.status_code,
        code,
        message,
        details,
        float(retry_after) if retry_after and retry_after.isdigit() else None,
    )


class Page(Protocol):
    @property
    def next_cursor(self) -> None | str | Unset: ...


P = TypeVar("P", bound=Page)


def pages(fetch: Callable[..., Response[P | ErrorResponse]], *positional: Any, **arguments: Any) -> Iterator[P]:
    """Every page of a list, one after another: fetch is a generated list operation's
    sync_detailed (list_receipts, list_account_payments, …), called with arguments and each
    page's cursor in turn.

        for page in pages(list_account_payments.sync_detailed, "acct-1", client=bank):
            for payment in page.items: ...
    """
    cursor: str | Unset = UNSET
    while True:
        page = answer(fetch(*positional, **arguments, cursor=cursor))
        yield page
        if not isinstance(page.next_cursor, str):
            return
        cursor = page.next_cursor


__all__ = [
    "ApiError",
    "BadRequest",
    "Conflict",
    "Forbidden",
    "NotAcceptable",
    "NotFound",
    "PayloadTooLarge",
    "RateLimited",
    "Unauthorized",
    "Unavailable",
    "UnsupportedMediaType",
    "ValidationFailed",
    "answer",
    "api_error",
    "pages",
]
