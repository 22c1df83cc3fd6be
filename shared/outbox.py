"""The transactional outbox: events are recorded with the state change, published after."""

from __future__ import annotations

import json

from sqlalchemy import Connection, text

from shared.events import Event

_INSERT = text(
    """
    INSERT INTO outbox (id, type, subject, data, occurred_at)
    SELECT e.id, e.type, e.subject, e.data, e.occurred_at
    FROM jsonb_to_recordset(CAST(:events AS jsonb))
        AS e(id uuid, type text, subject uuid, data jsonb, occurred_at timestamptz)
    """
)


def write(connection: Connection, events: list[Event]) -> None:
    """Insert all events in one statement (pg8000 pays round trips per statement)."""
    if not events:
        return
    rows = [
        {
            "id": str(event.id),
            "type": event.type,
            "subject": str(event.subject),
            "data": event.data,
            "occurred_at": event.occurred_at.isoformat(),
        }
        for event in events
    ]
    connection.execute(_INSERT, {"events": json.dumps(rows, default=str)})
