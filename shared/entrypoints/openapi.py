"""The OpenAPI 3.1 document, generated from the pydantic request and response models."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from shared import formats
from shared.domain.parties import EndpointChange, KeyRequest, MerchantChange, MerchantRegistration, PartyRegistration
from shared.domain.payments import Clearing, PaymentSubmission, Reversal, StatementLine
from shared.domain.receipts import ReceiptSubmission
from shared.domain.settlement import ManualMatch
from shared.entrypoints.health import Health
from shared.entrypoints.http import ErrorResponse
from shared.read.report import ReconciliationReport, ReportQuery
from shared.read.views import (
    AmbiguityPage,
    AuditPage,
    AuditQuery,
    PageQuery,
    ReceiptPage,
    ReceiptQuery,
    ReceiptView,
    StatementPage,
)
from shared.write import results
from shared.write.results import (
    AccountErased,
    ApiKeys,
    DeletedApiKey,
    IssuedApiKey,
    LookupAnswer,
    MatchDecision,
    PartyCredentials,
    PartyEndpoint,
    PaymentAccepted,
    PaymentCleared,
    ReceiptAccepted,
    WebhookSecret,
)
from shared.write.signatures import SIGNATURE_TOLERANCE_SECONDS


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    auth: str | None  # which key: "operator", "merchant", "bank", "merchant or bank", or None
    request: type[BaseModel] | None
    responses: dict[int, tuple[str, type[BaseModel] | None]]  # None: the 200 is the operation's document
    query: type[BaseModel] | None = None
    html: bool = False  # 200 is also a page, for Accept: text/html
    negotiated: bool = False  # 200 is any of formats.OFFERED, as Accept chooses (406 for none of them; SPEC §12)
    document: str | None = None  # what the body (POST) or the 200 (GET) is instead of JSON: html, kivra or arts
    rules: str | None = None  # what the body must also satisfy, beyond its schema (422 otherwise)
    links: tuple[str, ...] = ()  # operations that take the 201's id as their {id} (stateful clients)


# What the gateway answers itself, whatever the operation: a request it cannot read, a
# request line over its buffers, a request over a limit, a function that does not answer.
_GATEWAYS = {
    400: "the gateway could not read the request (a header over 8 KiB; plain HTTP to an HTTPS gateway)",
    504: "the function did not answer within 60 s",
}


_ERRORS = {
    400: "malformed JSON, or: " + _GATEWAYS[400],
    401: "missing, unknown or expired API key",
    403: "a key of the wrong party",
    409: "a conflict: the same idempotency key with another body, or (look-up) more than one receipt fits",
    413: "body over 256 KiB",
    414: "the request line (path and query) is over 8 KiB (the gateway's limit)",
    429: (
        "over the gateway's limit of requests per second for this credential and kind of route,"
        " or for this client address; retry after Retry-After seconds"
    ),
    406: "none of what the Accept header takes is offered (the message lists what is)",
    415: "body is not JSON",
    422: "a validation rule is broken (details list each)",
    503: "a backing service is down; retry after Retry-After seconds",
    404: "not found, or not the caller's",
}

# In production only, beyond the URL's form (shared.platform.destinations).
_CALLBACK_RULES = (
    "in production (RECEIPTS_ENV=production) callback_url is https:// and its host resolves to public"
    " addresses, none of them the platform's own, unless the host is on CALLBACK_ALLOWED_HOSTS (SPEC §15)"
)
_IDENTITY_RULES = (
    "vat_id has its country's format and check digits; logo decodes to at most 64 KiB (SPEC §12); " + _CALLBACK_RULES
)

# A receipt's representations other than JSON (formats.LINKED), as the document names them.
_TITLES = {
    "html": "the rendered page a bank app can embed",
    "kivra": "Kivra's retail receipt",
    "arts": "an ARTS Digital Receipt",
}
_KIVRA_NEEDS = "the merchant lacks what Kivra's document needs: " + ", ".join(formats.KIVRA_NEEDS)
# Where an operation's refusal differs from the JSON API's usual one (_ERRORS), by operationId.
_REFUSALS = {
    "submitReceipt": {415: "the body is none of the platform's JSON, Kivra's receipt or an ARTS Digital Receipt"},
    "submitKivraReceipt": {415: f"the body is not {formats.DOCUMENTS['kivra']}"},
    "submitArtsReceipt": {
        400: "the XML is not well-formed, or declares a DTD or an entity, or: " + _GATEWAYS[400],
        415: f"the body is not {formats.DOCUMENTS['arts']}",
    },
    "getReceipt": {406: _ERRORS[406] + "; or, for Kivra's profile, " + _KIVRA_NEEDS},
}

OPERATIONS = [
    Operation(
        "post",
        "/v1/admin/merchants",
        "createMerchant",
        "Onboard a merchant, with its identity",
        "operator",
        MerchantRegistration,
        {201: ("the merchant, with its API key and webhook secret (shown once)", PartyCredentials)},
        links=("rotateMerchantWebhookSecret", "updateMerchant"),
        rules=_IDENTITY_RULES,
    ),
    Operation(
        "post",
        "/v1/admin/banks",
        "createBank",
        "Onboard an issuing bank",
        "operator",
        PartyRegistration,
        {201: ("the bank, with its API key and webhook secret (shown once)", PartyCredentials)},
        links=("rotateBankWebhookSecret", "updateBank"),
        rules=_CALLBACK_RULES,
    ),
    *(
        operation
        for kind, plural, change in (("Merchant", "merchants", MerchantChange), ("Bank", "banks", EndpointChange))
        for operation in (
            Operation(
                "post",
                f"/v1/admin/{plural}/{{id}}/webhook-secret",
                f"rotate{kind}WebhookSecret",
                f"Rotate a {kind.lower()}'s webhook secret (the old one signs beside it for 24 h)",
                "operator",
                None,
                {200: ("the new webhook secret (shown once)", WebhookSecret)},
            ),
            Operation(
                "post",
                f"/v1/admin/{plural}/{{id}}/api-keys",
                f"issue{kind}ApiKey",
                f"Issue a {kind.lower()} another API key, beside its others (to roll one without downtime)",
                "operator",
                KeyRequest,
                {201: ("the new key (shown once)", IssuedApiKey)},
            ),
            Operation(
                "get",
                f"/v1/admin/{plural}/{{id}}/api-keys",
                f"list{kind}ApiKeys",
                f"A {kind.lower()}'s API keys, without their secrets",
                "operator",
                None,
                {200: ("the keys, oldest first", ApiKeys)},
            ),
            Operation(
                "delete",
                f"/v1/admin/{plural}/{{id}}/api-keys/{{key_id}}",
                f"delete{kind}ApiKey",
                f"Delete one of a {kind.lower()}'s API keys (refused everywhere within a second; 409 for its last live one)",
                "operator",
                None,
                {
                    200: ("the key, deleted", DeletedApiKey),
                    409: ("the party's last live key (last_key): issue another first", ErrorResponse),
                },
            ),
            Operation(
                "patch",
                f"/v1/admin/{plural}/{{id}}",
                f"update{kind}",
                f"Move a {kind.lower()}'s callback_url (re-enables an endpoint that answered 410)"
                + (", or change its identity" if change is MerchantChange else ""),
                "operator",
                change,
                {200: ("the endpoint", PartyEndpoint)},
                rules=_IDENTITY_RULES if change is MerchantChange else _CALLBACK_RULES,
            ),
        )
    ),
    Operation(
        "get",
        "/v1/admin/audit",
        "listAuditEntries",
        "The audit trail of privileged actions, newest first",
        "operator",
        None,
        {200: ("a page of audit entries", AuditPage)},
        query=AuditQuery,
    ),
    Operation(
        "get",
        "/v1/admin/ambiguities",
        "listAmbiguities",
        "The open ambiguity sets, oldest first",
        "operator",
        None,
        {200: ("a page of ambiguity sets", AmbiguityPage)},
        query=PageQuery,
    ),
    Operation(
        "post",
        "/v1/admin/matches",
        "settleMatch",
        "Match a pair by hand (rule manual)",
        "operator",
        ManualMatch,
        {201: ("the match", MatchDecision)},
        rules="the payment and the line are in one currency and of one kind (purchase or refund); "
        "line_no names one of the receipt's card lines",
    ),
    Operation(
        "delete",
        "/v1/admin/matches/{payment_id}",
        "unlinkMatch",
        "Undo a wrong match (never made again by matching)",
        "operator",
        None,
        {200: ("the undone match", MatchDecision)},
    ),
    Operation(
        "post",
        "/v1/receipts",
        "submitReceipt",
        "Submit an itemised receipt in the platform's JSON (a till's own document: submitKivraReceipt,"
        " submitArtsReceipt, or this path with the document's Content-Type)",
        "merchant",
        ReceiptSubmission,
        {201: ("accepted", ReceiptAccepted), 200: ("the same receipt again", ReceiptAccepted)},
        rules="each line's amount is quantity × unit_price (rounded half up) − its discounts; a receipt "
        "discount's shares add up to its amount, each on a line with an amount; subtotal is the sum of the "
        "lines less the receipt's discounts; total is subtotal + tax + tip + rounding (without tax when "
        "prices_include_vat); once any line has a vat_rate, every other line has one or a vat_exemption "
        "(never both), totals.vat is per rate over the lines less their discount shares (net + vat = "
        "gross, within 1 minor unit per line) and tax its sum; the tenders add up to total, at least one "
        "of them a card line (with masked_pan, or rrn and terminal_id), in the receipt's currency; "
        "refund_of names one of your receipts (and kind, if given, is refund)",
    ),
    *(
        Operation(
            "post",
            f"/v1/receipts/{kind}",
            f"submit{kind.capitalize()}Receipt",
            f"Submit a till's own document: {title}, as printed (the same as POST /v1/receipts with its Content-Type)",
            "merchant",
            None,
            {201: ("accepted", ReceiptAccepted), 200: ("the same receipt again", ReceiptAccepted)},
            document=kind,
            rules="the document is valid against its owner's schema (422 names the failing path); it is taken as"
            " printed: what it breaks of submitReceipt's rules comes back as warnings, and only one with no card"
            " tender (no_card_payment), or none the platform can match on (card_data_missing), is refused",
        )
        for kind, title in _TITLES.items()
        if kind in formats.DOCUMENTS
    ),
    Operation(
        "post",
        "/v1/payments",
        "submitPayment",
        "Report a card payment",
        "bank",
        PaymentSubmission,
        {201: ("accepted", PaymentAccepted), 200: ("the same payment again", PaymentAccepted)},
    ),
    Operation(
        "post",
        "/v1/payments/clearing",
        "clearPayment",
        "Send a reported payment's final amount",
        "bank",
        Clearing,
        {200: ("the payment, with its final and authorised amounts", PaymentCleared)},
        rules="currency is the reported payment's own",
    ),
    Operation(
        "post",
        "/v1/payments/reversals",
        "reversePayment",
        "Reverse a reported payment, in full or in part",
        "bank",
        Reversal,
        {200: ("the payment after the reversal (the same again: unchanged)", PaymentCleared)},
        rules="amount is at most the payment's; a partial reversal has its reversal_id; a payment reversed in "
        "full takes no other reversal",
    ),
    Operation(
        "post",
        "/v1/receipts/{id}/void",
        "voidReceipt",
        "Void a receipt: the sale was voided at the till",
        "merchant",
        None,
        {200: ("the receipt, voided (the same again: unchanged)", ReceiptAccepted)},
    ),
    Operation(
        "post",
        "/v1/receipts/lookup",
        "lookupReceipt",
        "The one receipt a statement line's card data leads to (404 none, 409 ambiguous)",
        "bank",
        StatementLine,
        {200: ("the itemised receipt and the rule that found it", LookupAnswer)},
    ),
    Operation(
        "get",
        "/v1/receipts/{id}",
        "getReceipt",
        "A receipt (its merchant's, or a matched bank's): JSON, or by Accept the page, Kivra's or"
        " ARTS's document (each also at its own path: getReceiptPage, getKivraReceipt, getArtsReceipt)",
        "merchant or bank",
        None,
        {200: ("the receipt", ReceiptView)},
        negotiated=True,
    ),
    *(
        Operation(
            "get",
            f"/v1/receipts/{{id}}/{kind}",
            operation_id,
            f"A receipt as {_TITLES[kind]}",
            "merchant or bank",
            None,
            {200: (_TITLES[kind], None), **({406: (_KIVRA_NEEDS, ErrorResponse)} if kind == "kivra" else {})},
            document=kind,
        )
        for kind, operation_id in zip(
            formats.LINKED, ("getReceiptPage", "getKivraReceipt", "getArtsReceipt"), strict=True
        )
    ),
    Operation(
        "get",
        "/v1/receipts",
        "listReceipts",
        "The merchant's receipts, newest first",
        "merchant",
        None,
        {200: ("a page of receipts", ReceiptPage)},
        query=ReceiptQuery,
    ),
    Operation(
        "get",
        "/v1/accounts/{account_ref}/payments",
        "listAccountPayments",
        "A bank's statement for one account, newest first, receipts inline",
        "bank",
        None,
        {200: ("a page of payments", StatementPage)},
        query=PageQuery,
    ),
    Operation(
        "delete",
        "/v1/accounts/{account_ref}",
        "eraseAccount",
        "Erase a cardholder account from every store of the platform (GDPR art. 17)",
        "bank",
        None,
        {202: ("erased: within seconds no store names the account", AccountErased)},
    ),
    Operation(
        "get",
        "/v1/reconciliation",
        "getReconciliation",
        "One day's reconciliation report (Accept: text/html for the dashboard)",
        "merchant, bank or operator",
        None,
        {200: ("the report, scoped to the caller", ReconciliationReport)},
        query=ReportQuery,
        html=True,
    ),
    Operation(
        "get",
        "/healthz",
        "health",
        "Each dependency's state",
        None,
        None,
        {200: ("all dependencies up", Health), 503: ("a dependency is down", Health)},
    ),
]


@functools.cache
def document() -> dict:
    models: set[type[BaseModel]] = {ErrorResponse}
    for operation in OPERATIONS:
        models.update(model for _, model in operation.responses.values() if model)
        if operation.request:
            models.add(operation.request)
    models.update(model for _, model in results.CALLBACKS.values())
    refs, schema = models_json_schema(
        [(model, "validation") for model in sorted(models, key=lambda m: m.__name__)],
        ref_template="#/components/schemas/{model}",
    )
    paths: dict[str, dict] = {}
    for operation in OPERATIONS:
        paths.setdefault(operation.path, {})[operation.method] = _operation(operation, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Receipts platform",
            "version": "1.0.0",
            "description": "Links merchants' itemised receipts to the card payments issuing banks see.",
        },
        "paths": paths,
        "webhooks": {
            name: _webhook(description, _ref(refs, model)) for name, (description, model) in results.CALLBACKS.items()
        },
        "components": {
            "schemas": schema.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


# Standard Webhooks' headers (https://www.standardwebhooks.com), which its libraries verify.
_SIGNED = (
    ("webhook-id", "the event id, the same on every retry: dedupe on it (also Receipts-Event-Id)"),
    (
        "webhook-timestamp",
        f"when this attempt was signed, in Unix seconds: refuse one over {SIGNATURE_TOLERANCE_SECONDS} s old",
    ),
    (
        "webhook-signature",
        "v1,<base64 HMAC-SHA256 of '<webhook-id>.<webhook-timestamp>.<body>' under the webhook_secret>;"
        " while a secret is rotated, two, space-separated (Receipts-Signature carries the platform's own"
        " scheme beside it: t=<timestamp>,v1=<hex HMAC-SHA256 of '<t>.<body>'>)",
    ),
)


def _webhook(description: str, body: dict) -> dict:
    return {
        "post": {
            "summary": f"Sent {description}",
            "description": "POSTed to the party's callback_url, signed with its webhook_secret, until it answers 2xx"
            " (retried with backoff for CALLBACK_RETRY_WINDOW_SECONDS, 24 h by default; a Retry-After on 429 or 503"
            " is honoured; 410 disables the endpoint).",
            "parameters": [
                {"name": name, "in": "header", "required": True, "description": meaning, "schema": {"type": "string"}}
                for name, meaning in _SIGNED
            ],
            "requestBody": {"required": True, "content": _json(body)},
            "responses": {"2XX": {"description": "received"}},
        }
    }


def _ref(refs: dict, model: type[BaseModel]) -> dict:
    return refs[(model, "validation")]


# A receipt's other representations (SPEC §12), by kind. The tills' own documents' schemas
# are their owners' (shared/formats/schemas), checked by the platform, and named here
# rather than copied into this document.
_REPRESENTATIONS = {
    "html": {"schema": {"type": "string", "description": "the rendered receipt, a page a bank app can embed"}},
    "kivra": {
        "schema": {
            "type": "object",
            "description": "Kivra's retail receipt v1.1 (DRJSON), valid against"
            f" {formats.KIVRA_PROFILE}; amounts in major units",
        }
    },
    "arts": {
        "schema": {
            "type": "string",
            "format": "binary",  # XML: its bytes, as they are signed and encoded, not a decoded string
            "description": "an ARTS Digital Receipt 2.0 document (namespace"
            " http://www.nrf-arts.org/IXRetail/namespace/), valid against DigitalReceiptV2.0.0.xsd;"
            " no DTD or entity declarations",
        }
    },
}


def _representation(kind: str | None) -> dict:
    if kind is None:
        raise ValueError("an operation answering its document names which one")
    return {formats.OFFERED[kind]: _REPRESENTATIONS[kind]}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _gateways_answers(refs: dict, responses: dict) -> dict[str, dict[str, Any]]:
    """The gateway's, before any function sees the request (where an operation lists a 400
    of its own, that one says both)."""
    return {
        **{
            str(status): {"description": description, "content": _json(_ref(refs, ErrorResponse))}
            for status, description in _GATEWAYS.items()
            if str(status) not in responses
        },
        "414": {"description": _ERRORS[414], "content": _json(_ref(refs, ErrorResponse))},
        "429": {
            "description": _ERRORS[429],
            "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
            "content": _json(_ref(refs, ErrorResponse)),
        },
    }


def _operation(operation: Operation, refs: dict) -> dict:
    descriptions = _ERRORS | _REFUSALS.get(operation.operation_id, {})
    responses: dict[str, dict[str, Any]] = {
        str(status): {
            "description": description,
            "content": _json(_ref(refs, model)) if model else _representation(operation.document),
        }
        for status, (description, model) in operation.responses.items()
    }
    for operation_id in operation.links:
        responses["201"].setdefault("links", {})[operation_id] = {
            "operationId": operation_id,
            "parameters": {"id": "$response.body#/id"},
        }
    for kind in formats.LINKED if operation.negotiated else ("html",) if operation.html else ():
        responses["200"]["content"] |= _representation(kind)
    if operation.negotiated:
        responses["406"] = {"description": descriptions[406], "content": _json(_ref(refs, ErrorResponse))}
    takes_document = operation.document is not None and operation.method == "post"
    if operation.auth:
        statuses = [status for status in _ERRORS if status not in (406, 414, 429)]  # 406: only where Accept chooses
        if operation.request is None and not takes_document:
            statuses = [401, 403, 404, 422, 503] if operation.query else [401, 403, 404, 503]
        for status in statuses:
            responses.setdefault(
                str(status), {"description": descriptions[status], "content": _json(_ref(refs, ErrorResponse))}
            )
    responses |= _gateways_answers(refs, responses)
    spec: dict[str, Any] = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "responses": responses,
        "security": [{"bearer": []}] if operation.auth else [],
    }
    if operation.auth:
        spec["description"] = f"Takes the {operation.auth} API key."
    if operation.rules:
        spec["description"] += f" Beyond its schema, the body must hold: {operation.rules} (422 lists what it breaks)."
    if operation.request:
        spec["requestBody"] = {"required": True, "content": _json(_ref(refs, operation.request))}
    if takes_document:
        spec["requestBody"] = {"required": True, "content": _representation(operation.document)}
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"\{([a-z_]+)\}", operation.path)
    ]
    if operation.query:
        schema = operation.query.model_json_schema()
        parameters += [
            {"name": name, "in": "query", "required": False, "schema": field}
            for name, field in schema["properties"].items()
        ]
    if parameters:
        spec["parameters"] = parameters
    return spec
