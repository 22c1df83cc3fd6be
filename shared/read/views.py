"""The read side: one query per view, on the read model only (SPEC §4).

Each query returns the response body built by PostgreSQL (jsonb), scoped to the calling
party in its WHERE clause: another party's item is simply not found. Lists page newest
first by keyset, so items arriving while a client pages never shift a page.
"""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, TextClause, text

from shared.domain import legal
from shared.domain.base import Text
from shared.domain.cards import Wallet
from shared.domain.errors import NotFound
from shared.domain.legal import Legal
from shared.domain.matching import CardKey, Status
from shared.domain.parties import MerchantRef, Party
from shared.domain.receipts import (
    CardPaymentLine,
    Fiscal,
    ReceiptDiscount,
    ReceiptLine,
    ReceiptWarning,
    Store,
    Tender,
    Totals,
)

# A cursor is the last item's sort key: 16 hex digits of microseconds since 0001-01-01
# (its time) and its id's 32. Every string of that form is a place in the list, so no
# well-formed cursor is refused: one from nowhere just pages from that place.
CURSOR_PATTERN = r"^[0-9a-f]{48}$"
_ORIGIN = datetime(1, 1, 1)
_LAST_MICROSECOND = (datetime.max - _ORIGIN) // timedelta(microseconds=1)


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, pattern=CURSOR_PATTERN, description="next_cursor of the previous page")


class AuditQuery(PageQuery):
    object: Annotated[str, Text(64)] | None = Field(None, description="only the entries about this object (its id)")


class ReceiptQuery(PageQuery):
    status: Status | None = None
    warnings: bool | None = Field(
        None, description="true: only the receipts taken with warnings; false: only those without"
    )


_RECEIPT_JSON = """
    json_build_object(
        'id', r.id,
        'merchant', jsonb_build_object('id', r.merchant_id, 'name', m.name)
                    || coalesce(m.identity - 'logo' - 'kivra_service_id', '{}'),
        'merchant_receipt_id', r.merchant_receipt_id,
        'status', r.status,
        'issued_at', r.issued_at,
        'currency', r.currency,
        'lines', r.lines,
        'totals', r.totals,
        'payments', r.payments,
        'refund_of', r.refund_of,
        'submitted_at', r.submitted_at,
        'warnings', '[]'::jsonb
    )::jsonb || r.extras
"""

_IDENTITY = text("SELECT jsonb_build_object('id', id, 'name', name) || identity FROM party_views WHERE id = :id")


def merchant_identity(connection: Connection, merchant_id: str) -> dict:
    """The merchant's whole identity: its logo for the receipt page, its Kivra service id for a
    till's document (the JSON views leave both out)."""
    return connection.execute(_IDENTITY, {"id": merchant_id}).scalar() or {"id": merchant_id}


_RECEIPT_FOR = {
    "merchant": text(
        f"SELECT {_RECEIPT_JSON} AS body FROM receipt_views r LEFT JOIN party_views m ON m.id = r.merchant_id"
        " WHERE r.id = :id AND r.merchant_id = :party"
    ),
    "bank": text(
        f"SELECT {_RECEIPT_JSON} AS body FROM receipt_views r LEFT JOIN party_views m ON m.id = r.merchant_id"
        " WHERE r.id = :id AND CAST(:party AS uuid) = ANY(r.bank_ids)"
    ),
}


def receipt(connection: Connection, party: Party, receipt_id: str) -> dict | None:
    """The receipt, if it is the party's own (merchant) or matched to its payment (bank)."""
    try:
        receipt_uuid = uuid.UUID(receipt_id)
    except ValueError:
        return None
    return _judged(connection.execute(_RECEIPT_FOR[party.kind], {"id": receipt_uuid, "party": party.id}).scalar())


def _judged(receipt: dict | None) -> dict | None:
    """The receipt with its legal completeness, judged as it is read (SPEC §12): the
    merchant's identity may have changed since it was submitted."""
    if receipt is not None:
        receipt["legal"] = legal.judge(receipt)
    return receipt


@functools.cache
def _receipts_query(by_status: bool, warnings: bool | None, after: bool) -> TextClause:
    conditions = ["r.merchant_id = :merchant"]
    if by_status:
        conditions.append("r.status = :status")
    if warnings is not None:
        conditions.append("r.extras ? 'warnings'" if warnings else "NOT r.extras ? 'warnings'")
    if after:
        conditions.append("(r.submitted_at, r.id) < (CAST(:after_at AS timestamptz), CAST(:after_id AS uuid))")
    return text(
        f"SELECT {_RECEIPT_JSON} AS body, r.submitted_at, r.id"
        " FROM receipt_views r LEFT JOIN party_views m ON m.id = r.merchant_id"
        f" WHERE {' AND '.join(conditions)}"
        " ORDER BY r.submitted_at DESC, r.id DESC LIMIT :limit"
    )


def receipts(connection: Connection, merchant_id: uuid.UUID, query: ReceiptQuery) -> dict:
    after = _decode_cursor(query.cursor)
    params: dict[str, object] = {"merchant": merchant_id, "status": query.status, "limit": query.limit + 1}
    if after:
        params |= {"after_at": after[0].replace(tzinfo=UTC), "after_id": after[1]}
    rows = connection.execute(_receipts_query(query.status is not None, query.warnings, bool(after)), params).all()
    page = _page(rows, query.limit, lambda row: (row.submitted_at, row.id))
    for item in page["items"]:
        _judged(item)
    return page


def _statement_query(after: bool) -> TextClause:
    cursor = (
        " AND (p.transaction_date, p.transaction_time, p.id)"
        " < (CAST(:after_date AS date), CAST(:after_time AS time), CAST(:after_id AS uuid))"
        if after
        else ""
    )
    return text(
        f"""
        SELECT json_build_object(
                   'id', p.id, 'bank_payment_id', p.bank_payment_id, 'account_ref', p.account_ref,
                   'masked_pan', p.masked_pan, 'auth_code', p.auth_code, 'amount', p.amount,
                   'currency', p.currency, 'transaction_date', p.transaction_date,
                   'transaction_time', p.transaction_time, 'merchant_name', p.merchant_name,
                   'terminal_id', p.terminal_id, 'rrn', p.rrn, 'kind', p.kind, 'status', p.status,
                   'match_rule', p.match_rule, 'card_key', p.card_key, 'token', p.token,
                   'cashback_amount', p.cashback_amount, 'billing_amount', p.billing_amount,
                   'billing_currency', p.billing_currency,
                   'receipt', CASE WHEN r.id IS NULL THEN NULL ELSE {_RECEIPT_JSON} END
               ) AS body,
               p.transaction_date, p.transaction_time, p.id
        FROM payment_views p
        LEFT JOIN receipt_views r ON r.id = p.receipt_id AND p.bank_id = ANY(r.bank_ids)
        LEFT JOIN party_views m ON m.id = r.merchant_id
        WHERE p.bank_id = :bank AND p.account_ref = :account_ref{cursor}
        ORDER BY p.transaction_date DESC, p.transaction_time DESC, p.id DESC
        LIMIT :limit
        """
    )


_STATEMENT = {after: _statement_query(after) for after in (False, True)}


def statement(connection: Connection, bank_id: uuid.UUID, account_ref: str, query: PageQuery) -> dict:
    """A bank's payments on one account, newest transaction first, each with its receipt."""
    after = _decode_cursor(query.cursor)
    params: dict[str, object] = {"bank": bank_id, "account_ref": account_ref, "limit": query.limit + 1}
    if after:
        params |= {"after_date": after[0].date(), "after_time": after[0].time(), "after_id": after[1]}
    rows = connection.execute(_STATEMENT[bool(after)], params).all()
    if not rows and not after:
        # An account the bank has no payment on (never had, or erased) is not there.
        raise NotFound("no payments of yours on this account")
    page = _page(rows, query.limit, lambda row: (datetime.combine(row.transaction_date, row.transaction_time), row.id))
    for item in page["items"]:
        _judged(item["receipt"])
    return page


# Open ambiguity sets: the ambiguous items of each set, receipts and payments side by
# side, the oldest set first (SPEC §11).
_AMBIGUITY_SETS = {
    after: text(
        f"""
    WITH items AS (
        SELECT CAST(ambiguity->>'set' AS uuid) AS set_id, ambiguity->>'rule' AS rule,
               CAST(ambiguity->>'since' AS timestamptz) AS since, 'receipt' AS kind,
               json_build_object('id', id, 'merchant_receipt_id', merchant_receipt_id, 'lines',
                                 (SELECT coalesce(jsonb_agg(line), '[]') FROM jsonb_array_elements(payments) AS line
                                  WHERE NOT line ? 'type')) AS item
        FROM receipt_views WHERE status = 'ambiguous' AND ambiguity IS NOT NULL
        UNION ALL
        SELECT CAST(ambiguity->>'set' AS uuid), ambiguity->>'rule', CAST(ambiguity->>'since' AS timestamptz), 'payment',
               json_build_object('id', id, 'bank_payment_id', bank_payment_id, 'masked_pan', masked_pan,
                                 'amount', amount, 'currency', currency, 'transaction_date', transaction_date)
        FROM payment_views WHERE status = 'ambiguous' AND ambiguity IS NOT NULL
    ), sets AS (
        SELECT set_id, min(rule) AS rule, min(since) AS created_at,
               coalesce(json_agg(item ORDER BY item->>'id') FILTER (WHERE kind = 'receipt'), '[]') AS receipts,
               coalesce(json_agg(item ORDER BY item->>'id') FILTER (WHERE kind = 'payment'), '[]') AS payments
        FROM items GROUP BY set_id
    )
    SELECT json_build_object('id', set_id, 'rule', rule, 'receipts', receipts, 'payments', payments,
                             'created_at', created_at) AS body, created_at, set_id AS id
    FROM sets
    {"WHERE (created_at, set_id) > (CAST(:after_at AS timestamptz), CAST(:after_id AS uuid))" if after else ""}
    ORDER BY created_at, set_id LIMIT :limit
    """
    )
    for after in (False, True)
}


def ambiguity_sets(connection: Connection, query: PageQuery) -> dict:
    """The open ambiguity sets, oldest first, each with its look-alike receipts and payments."""
    after = _decode_cursor(query.cursor)
    params: dict[str, object] = {"limit": query.limit + 1}
    if after:
        params |= {"after_at": after[0].replace(tzinfo=UTC), "after_id": after[1]}
    rows = connection.execute(_AMBIGUITY_SETS[bool(after)], params).all()
    return _page(rows, query.limit, lambda row: (row.created_at, row.id))


# The audit trail (in the write model, where each action records it), newest first.
_AUDIT_ENTRIES = {
    (after, about): text(
        f"""
    SELECT json_build_object(
               'id', id, 'at', at,
               'actor', CASE WHEN actor_party_id IS NULL THEN to_json(text 'operator')
                             ELSE json_build_object('party_id', actor_party_id, 'key_id', actor_key_id) END,
               'action', action, 'object', json_build_object('kind', object_kind, 'id', object_id),
               'request_id', request_id) AS body, at, id
    FROM audit_entries
    WHERE true
    {"AND object_id = :object" if about else ""}
    {"AND (at, id) < (CAST(:after_at AS timestamptz), CAST(:after_id AS uuid))" if after else ""}
    ORDER BY at DESC, id DESC LIMIT :limit
    """
    )
    for after in (False, True)
    for about in (False, True)
}


def audit_entries(connection: Connection, query: AuditQuery) -> dict:
    """A page of the audit trail, newest first; only the entries about query.object if given."""
    after = _decode_cursor(query.cursor)
    params: dict[str, object] = {"limit": query.limit + 1, "object": query.object}
    if after:
        params |= {"after_at": after[0].replace(tzinfo=UTC), "after_id": after[1]}
    rows = connection.execute(_AUDIT_ENTRIES[bool(after), query.object is not None], params).all()
    return _page(rows, query.limit, lambda row: (row.at, row.id))


_OPEN_AMBIGUITY_SETS = text("""
    SELECT count(DISTINCT ambiguity->>'set') FROM (
        SELECT ambiguity FROM receipt_views WHERE status = 'ambiguous'
        UNION ALL SELECT ambiguity FROM payment_views WHERE status = 'ambiguous') AS ambiguous
""")


def open_ambiguity_sets(connection: Connection) -> int:
    """How many ambiguity sets wait for the operator (from the partial indexes of ambiguous items)."""
    return connection.execute(_OPEN_AMBIGUITY_SETS).scalar_one()


def _page(rows, limit: int, key) -> dict:
    items = [row.body for row in rows[:limit]]
    next_cursor = _encode_cursor(key(rows[limit - 1])) if len(rows) > limit else None
    return {"items": items, "next_cursor": next_cursor}


def _encode_cursor(key: tuple[datetime, uuid.UUID]) -> str:
    moment, item_id = key
    if moment.tzinfo is not None:  # a timestamptz: its UTC time (a statement's local time has none)
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return f"{(moment - _ORIGIN) // timedelta(microseconds=1):016x}{item_id.hex}"


def _decode_cursor(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    """The (time, id) a cursor names; past the last representable time, the last one."""
    if cursor is None:
        return None
    microseconds = min(int(cursor[:16], 16), _LAST_MICROSECOND)
    return _ORIGIN + timedelta(microseconds=microseconds), uuid.UUID(hex=cursor[16:])


class ReceiptView(BaseModel):
    """An itemised receipt as the read API shows it (masked card data only)."""

    id: str
    merchant: MerchantRef
    merchant_receipt_id: str
    status: Status
    issued_at: str
    currency: str
    lines: list[ReceiptLine]
    totals: Totals
    payments: list[Tender]
    refund_of: str | None = None
    kind: Literal["sale", "refund"]
    discounts: list[ReceiptDiscount] | None = None
    submitted_at: str
    prices_include_vat: bool | None = None
    store: Store | None = None
    fiscal: Fiscal | None = None
    warnings: list[ReceiptWarning]
    legal: Legal


class ReceiptPage(BaseModel):
    items: list[ReceiptView]
    next_cursor: str | None


class StatementToken(BaseModel):
    masked_pan: str
    wallet: Wallet


class StatementPayment(BaseModel):
    """A payment on a bank's statement, with the receipt it was matched to."""

    id: str
    bank_payment_id: str
    account_ref: str
    masked_pan: str
    auth_code: str
    amount: int
    currency: str
    transaction_date: str
    transaction_time: str
    merchant_name: str
    terminal_id: str
    rrn: str
    kind: Literal["purchase", "refund"]
    status: Status
    match_rule: str | None = None
    card_key: CardKey | None = None  # what established the match's card
    token: StatementToken | None = None  # the wallet that paid, with its token's number masked
    cashback_amount: int | None = None  # inside amount
    billing_amount: int | None = None  # what the account was charged, where it differs from amount
    billing_currency: str | None = None
    receipt: ReceiptView | None


class StatementPage(BaseModel):
    items: list[StatementPayment]
    next_cursor: str | None


class AmbiguousReceipt(BaseModel):
    id: str
    merchant_receipt_id: str
    lines: list[CardPaymentLine]


class AmbiguousPayment(BaseModel):
    id: str
    bank_payment_id: str
    masked_pan: str
    amount: int
    currency: str
    transaction_date: str


class AmbiguitySet(BaseModel):
    """Look-alike receipts and payments no rule would pick between: the operator's to settle."""

    id: str
    rule: str
    receipts: list[AmbiguousReceipt]
    payments: list[AmbiguousPayment]
    created_at: str


class AuditActor(BaseModel):
    """A party that acted by one of its keys."""

    party_id: str
    key_id: str | None


class AuditObject(BaseModel):
    kind: Literal["merchant", "bank", "api_key", "payment", "erasure", "dead_letter"]
    id: str


class AuditEntry(BaseModel):
    """One privileged action: who did what to which object, when, in which request."""

    id: str
    at: str
    actor: Literal["operator"] | AuditActor
    action: str
    object: AuditObject
    request_id: str | None


class AuditPage(BaseModel):
    items: list[AuditEntry]
    next_cursor: str | None


class AmbiguityPage(BaseModel):
    items: list[AmbiguitySet]
    next_cursor: str | None
