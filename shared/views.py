"""The read side: one query per view, on the read model only (SPEC §4).

Each query returns the response body built by PostgreSQL (jsonb), scoped to the calling
party in its WHERE clause: another party's item is simply not found. Lists page newest
first by keyset, so items arriving while a client pages never shift a page.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import date, datetime, time

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, text

from shared.errors import ValidationFailed, Violation
from shared.repositories import Party
from shared.responses import Status


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=200, description="next_cursor of the previous page")


class ReceiptQuery(PageQuery):
    status: Status | None = None


_RECEIPT_JSON = """
    json_build_object(
        'id', r.id,
        'merchant', json_build_object('id', r.merchant_id, 'name', m.name),
        'merchant_receipt_id', r.merchant_receipt_id,
        'status', r.status,
        'issued_at', r.issued_at,
        'currency', r.currency,
        'lines', r.lines,
        'totals', r.totals,
        'payments', r.payments,
        'refund_of', r.refund_of,
        'submitted_at', r.submitted_at
    )
"""

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
    return connection.execute(_RECEIPT_FOR[party.kind], {"id": receipt_uuid, "party": party.id}).scalar()


def _receipts_query(by_status: bool, after: bool) -> text:
    conditions = ["r.merchant_id = :merchant"]
    if by_status:
        conditions.append("r.status = :status")
    if after:
        conditions.append("(r.submitted_at, r.id) < (CAST(:after_at AS timestamptz), CAST(:after_id AS uuid))")
    return text(
        f"SELECT {_RECEIPT_JSON} AS body, r.submitted_at, r.id"
        " FROM receipt_views r LEFT JOIN party_views m ON m.id = r.merchant_id"
        f" WHERE {' AND '.join(conditions)}"
        " ORDER BY r.submitted_at DESC, r.id DESC LIMIT :limit"
    )


_RECEIPTS = {(by_status, after): _receipts_query(by_status, after) for by_status in (False, True) for after in (False, True)}


def receipts(connection: Connection, merchant_id: uuid.UUID, query: ReceiptQuery) -> dict:
    after = _decode_cursor(query.cursor, datetime.fromisoformat, uuid.UUID)
    params = {"merchant": merchant_id, "status": query.status, "limit": query.limit + 1}
    if after:
        params |= {"after_at": after[0], "after_id": after[1]}
    rows = connection.execute(_RECEIPTS[(query.status is not None, bool(after))], params).all()
    return _page(rows, query.limit, lambda row: [row.submitted_at.isoformat(), str(row.id)])


def _statement_query(after: bool) -> text:
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
                   'match_rule', p.match_rule,
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
    after = _decode_cursor(query.cursor, date.fromisoformat, time.fromisoformat, uuid.UUID)
    params = {"bank": bank_id, "account_ref": account_ref, "limit": query.limit + 1}
    if after:
        params |= {"after_date": after[0], "after_time": after[1], "after_id": after[2]}
    rows = connection.execute(_STATEMENT[bool(after)], params).all()
    return _page(
        rows, query.limit, lambda row: [row.transaction_date.isoformat(), row.transaction_time.isoformat(), str(row.id)]
    )


def _page(rows, limit: int, key) -> dict:
    items = [row.body for row in rows[:limit]]
    next_cursor = _encode_cursor(key(rows[limit - 1])) if len(rows) > limit else None
    return {"items": items, "next_cursor": next_cursor}


def _encode_cursor(values: list[str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None, *parsers) -> list | None:
    """The cursor's values, each parsed as the query binds it; 422 if it was tampered with."""
    if cursor is None:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if isinstance(values, list) and len(values) == len(parsers) and all(isinstance(v, str) for v in values):
            return [parse(value) for parse, value in zip(parsers, values)]
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise ValidationFailed(
        "the cursor is not one this API gave out",
        [Violation("cursor", "invalid_cursor", "pass next_cursor from the previous page unchanged")],
    )
