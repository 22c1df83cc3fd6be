"""Helpers for event tests: CloudEvents as the triggers deliver them, and the broker."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from shared.domain import events
from shared.platform import bus


def receipt_state(version: int = 1, status: str = "unmatched", **overrides) -> dict:
    state = {
        "id": str(uuid.uuid4()),
        "merchant_id": str(uuid.uuid4()),
        "merchant_receipt_id": f"POS-{uuid.uuid4().hex[:8]}",
        "status": status,
        "issued_at": "2026-11-26T13:45:10+01:00",
        "currency": "EUR",
        "lines": [{"description": "Espresso", "sku": None, "quantity": 1, "unit_price": 250, "amount": 250}],
        "totals": {"subtotal": 250, "tax": 0, "tip": 0, "total": 250},
        "payments": [
            {
                "masked_pan": "412345******1234",
                "auth_code": "A1B2C3",
                "amount": 250,
                "currency": "EUR",
                "transaction_date": "2026-11-26",
                "transaction_time": "13:45:02",
                "terminal_id": "T1",
                "rrn": "633012345678",
                "scheme": None,
            }
        ],
        "bank_ids": [],
        "submitted_at": datetime.now(UTC).isoformat(),
        "version": version,
    }
    return state | overrides


def cloud_event(event_type: str, data: dict, subject: str | None = None) -> dict:
    return bus.cloud_event(events.Event(event_type, uuid.UUID(subject or data["id"]), data))


def deliver(functions, target: str, event: dict):
    """POST a structured-mode CloudEvent to a function, as the queue trigger does."""
    return functions(target).post("/", data=json.dumps(event), content_type=bus.CONTENT_TYPE)


def project_outbox(write_engine, subjects) -> None:
    """Apply the recorded events of some aggregates (and of their payments' callbacks) to
    the read model, in order, as the projector would once they were published."""
    from sqlalchemy import text

    from shared.platform.db import array_literal, read_engine
    from shared.read import projections

    with write_engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT id, type, subject, data FROM outbox WHERE subject = ANY(CAST(:ids AS uuid[]))"
                " OR subject IN (SELECT id FROM callbacks WHERE payment_id = ANY(CAST(:ids AS uuid[]))) ORDER BY position"
            ),
            {"ids": array_literal(subjects)},
        ).all()
    with read_engine().begin() as connection:
        for row in rows:
            projections.project(
                connection, {"id": str(row.id), "type": row.type, "subject": str(row.subject), "data": row.data}
            )
