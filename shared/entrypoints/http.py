"""HTTP adapter for functions: request parsing, authentication, and the one error mapping.

Every HTTP function is ``@functions_framework.http`` over ``@endpoint(...)``; its body
parses, calls the domain and returns ``(body, status)``. Errors of any kind leave here in
the SPEC's format: ``{"error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

import functools
import json
import logging
import uuid
from collections.abc import Callable
from typing import Literal, TypeVar, overload

import flask
from pydantic import BaseModel, ValidationError

from shared import formats
from shared.domain.base import violations
from shared.domain.errors import (
    AlreadyMatched,
    Ambiguous,
    Forbidden,
    IdempotencyConflict,
    LastKey,
    MalformedRequest,
    MethodNotAllowed,
    NotAcceptable,
    NotFound,
    PayloadTooLarge,
    ReceiptsError,
    ServiceUnavailable,
    Unauthenticated,
    UnsupportedMediaType,
    ValidationFailed,
)
from shared.domain.parties import Actor, Party, PartyKind
from shared.entrypoints import readiness
from shared.platform import faults, logs, metrics
from shared.platform.config import CLIENT_CERTIFICATE_SUBJECT, ConfigurationError
from shared.write import auth

MAX_BODY_BYTES = 256 * 1024
_RETRY_LATER = {"Retry-After": "5"}

STATUS = {
    MalformedRequest: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    MethodNotAllowed: 405,
    NotAcceptable: 406,
    IdempotencyConflict: 409,
    Ambiguous: 409,
    AlreadyMatched: 409,
    LastKey: 409,
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
    ValidationFailed: 422,
    ServiceUnavailable: 503,
}

Model = TypeVar("Model", bound=BaseModel)
Handler = Callable[[flask.Request], tuple[BaseModel | dict, int] | flask.Response]

_log = logs.get("http")


def endpoint(
    *methods: str, needs: tuple[str, ...] = (), submits: str | None = None
) -> Callable[[Handler], Callable[[flask.Request], flask.Response]]:
    """Wrap a handler: method check, then the handler, then errors mapped to the SPEC.
    needs names the secrets it cannot work without (readiness); submits, the kind of
    document the endpoint takes ("receipt", "payment"), counted by what came of it."""

    def decorate(handler: Handler) -> Callable[[flask.Request], flask.Response]:
        readiness.declare(handler.__name__, needs)

        @functools.wraps(handler)
        def serve(request: flask.Request) -> flask.Response:
            response = answer(request)
            if submits:
                metrics.submission(submits, response.status_code)
            return response

        def answer(request: flask.Request) -> flask.Response:
            try:
                if request.method not in methods:
                    response = error_response(MethodNotAllowed(f"use {' or '.join(methods)} on this path"), request)
                    response.headers["Allow"] = ", ".join(methods)
                    return response
                result = handler(request)
                if isinstance(result, flask.Response):
                    return result
                body, status = result
                return json_response(body, status, _RETRY_LATER if status == 503 else None)
            except ReceiptsError as error:
                return error_response(error, request)
            except ConfigurationError as error:
                _log.error("configuration.invalid", extra={"fields": {"error": str(error)}})
                return error_response(ServiceUnavailable("the platform is misconfigured"), request)
            except Exception as error:
                if not faults.retryable(error):
                    _log.exception("request.failed", extra={"fields": {"path": request.path}})
                    return _internal_error()
                # A backing service is down, busy or refusing connections: retry later.
                logs.event(
                    _log,
                    "backing_service.unavailable",
                    logging.WARNING,
                    path=request.path,
                    error=type(error).__name__,
                    sqlstate=faults.sqlstate(error),
                )
                return error_response(ServiceUnavailable("a backing service is unavailable; retry later"), request)

        return serve

    return decorate


def _internal_error() -> flask.Response:
    body = {"error": {"code": "internal_error", "message": "an unexpected error occurred", "details": []}}
    return json_response(body, 500)


def json_response(body: BaseModel | dict, status: int, headers: dict | None = None) -> flask.Response:
    payload = body.model_dump_json() if isinstance(body, BaseModel) else json.dumps(body, separators=(",", ":"))
    return flask.Response(payload, status, headers, mimetype="application/json")


def error_response(error: ReceiptsError, request: flask.Request) -> flask.Response:
    # A kind of error answers as the nearest of its kinds STATUS names (InvalidKey as Unauthenticated).
    status = next((STATUS[kind] for kind in type(error).__mro__ if kind in STATUS), 400)
    if isinstance(error, Unauthenticated | Forbidden):
        metrics.auth_failure(error.code)
    logs.event(
        _log,
        "request.rejected",
        path=request.path,
        status=status,
        code=error.code,
        fields=[violation.field for violation in error.details],
    )
    headers = _RETRY_LATER if status == 503 else VARY if status == 406 else None
    body = {
        "error": {
            "code": error.code,
            "message": error.message,
            "details": [violation.as_dict() for violation in error.details],
        }
    }
    return json_response(body, status, headers)


VARY = {"Vary": "Accept"}


def representation(request: flask.Request, named: str | None) -> str:
    """Which of formats.OFFERED the client wants: the one its path names (formats.LINKED: a
    link, or a generated client, needs no header), else Accept chooses (SPEC §12); 406 for
    an Accept that takes none."""
    if named is not None:
        if named not in formats.LINKED:
            raise NotFound("no such endpoint")
        return named
    kind = formats.negotiate(request.headers.get("Accept"))
    if kind is None:
        raise NotAcceptable(
            "none of the representations the Accept header takes is offered: " + ", ".join(formats.OFFERED.values())
        )
    return kind


def representation_moved(request: flask.Request) -> flask.Response | None:
    """A link made when a representation was named by ?format=: a permanent redirect to the
    path that names it now (a 308 keeps the method, and a client keeps the key on the same
    host). Stored links and callbacks sent before still lead to the receipt."""
    named = request.args.get("format")
    if named is None or path_parameter(request, 3, required=False) is not None:
        return None
    if named not in formats.OFFERED:
        raise NotFound(f"no such representation; there are {', '.join(formats.OFFERED)}")
    try:
        receipt_id = uuid.UUID(path_parameter(request, 2))
    except ValueError:
        raise NotFound("no such receipt") from None
    path = f"/v1/receipts/{receipt_id}" + ("" if named == "json" else f"/{named}")
    return flask.Response(status=308, headers={"Location": path})


def document_response(body: bytes, media_type: str) -> flask.Response:
    return flask.Response(
        body, 200, VARY, content_type=f"{media_type}; charset=utf-8" if media_type == formats.ARTS else media_type
    )


def wants_html(request: flask.Request) -> bool:
    """Whether the client prefers a page to JSON (Accept: text/html)."""
    accept = request.accept_mimetypes
    return accept.quality("text/html") > accept.quality("application/json")


def html_response(page: str, headers: dict | None = None) -> flask.Response:
    return flask.Response(page, 200, headers, mimetype="text/html")


def authenticate(request: flask.Request, *kinds: PartyKind) -> Party:
    """The calling party, which must be of one of kinds (403 otherwise)."""
    return auth.authenticate(
        request.headers.get("Authorization"), request.headers.get(CLIENT_CERTIFICATE_SUBJECT), *kinds
    )


def authenticate_party_or_operator(request: flask.Request) -> Party | None:
    """The calling merchant or bank, or None for the operator."""
    return auth.authenticate_party_or_operator(
        request.headers.get("Authorization"), request.headers.get(CLIENT_CERTIFICATE_SUBJECT)
    )


def authenticate_admin(request: flask.Request) -> Actor:
    """The operator, as the audit trail names it for this request."""
    auth.authenticate_admin(request.headers.get("Authorization"))
    return actor(request)


def actor(request: flask.Request, party: Party | None = None) -> Actor:
    """Who does a privileged action in this request: the party's key, else the operator."""
    return Actor(request_id=(request.headers.get("X-Request-Id") or "")[:128] or None, party=party)


def document_kind(request: flask.Request, named: str | None) -> str:
    """Which receipt document the body is: the one its path names (formats.DOCUMENTS),
    else its Content-Type says (SPEC §12); 415 for a Content-Type that is neither."""
    kind = formats.kind_of(request.mimetype, request.mimetype_params)
    if named is None:
        if kind is None:
            raise UnsupportedMediaType(
                "send the receipt as application/json, as Kivra's receipt (application/json;"
                f' profile="{formats.KIVRA_PROFILE}") or as an ARTS Digital Receipt (application/xml)'
            )
        return kind
    if named not in formats.DOCUMENTS:
        raise NotFound("no such endpoint")
    if named == "kivra" and kind == "json":
        kind = named  # the path names the profile
    if kind != named:
        raise UnsupportedMediaType(f"send this document as {formats.DOCUMENTS[named]}")
    return named


def read_body(request: flask.Request) -> bytes:
    """The request body, refused (413) past MAX_BODY_BYTES before more of it is read."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the body is over {MAX_BODY_BYTES // 1024} KiB")
    body = request.stream.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the body is over {MAX_BODY_BYTES // 1024} KiB")
    return body


def parse_json(request: flask.Request, model: type[Model]) -> Model:
    """The request body as a validated model: 415, 413, 400 or 422 otherwise."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("send the body as JSON with 'Content-Type: application/json'")
    body = read_body(request)
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        found = violations(error)
        if any(violation.code == "json_invalid" for violation in found):
            raise MalformedRequest("the body is not well-formed JSON") from None
        raise ValidationFailed("the request breaks the rules listed in details", found) from None


def parse_query(request: flask.Request, model: type[Model]) -> Model:
    """The query string as a validated model: 422 listing each problem otherwise."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise ValidationFailed("the query string breaks the rules listed in details", violations(error)) from None


@overload
def path_parameter(request: flask.Request, index: int) -> str: ...
@overload
def path_parameter(request: flask.Request, index: int, *, required: Literal[False]) -> str | None: ...
def path_parameter(request: flask.Request, index: int, *, required: bool = True) -> str | None:
    """The index-th segment of the path (/v1/receipts/{id}: index 2 is the id); a path
    without it is no endpoint, unless the segment is optional (/v1/receipts/{id}/kivra)."""
    segments = request.path.strip("/").split("/")
    if index >= len(segments) or not segments[index]:
        if required:
            raise NotFound("no such endpoint")
        return None
    return segments[index]


_PARTY_KINDS: dict[str, PartyKind] = {"merchants": "merchant", "banks": "bank"}


def party_in_path(request: flask.Request) -> Party:
    """The party an admin path names: /v1/admin/{merchants|banks}/{id}[/...]."""
    kind = _PARTY_KINDS.get(path_parameter(request, 2))
    if kind is None:
        raise NotFound("no such endpoint")
    try:
        return Party(kind, uuid.UUID(path_parameter(request, 3)))
    except ValueError:
        raise NotFound(f"no such {kind}") from None


class ErrorDetail(BaseModel):
    field: str
    code: str
    message: str


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail]


class ErrorResponse(BaseModel):
    error: ErrorBody
