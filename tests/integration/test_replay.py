"""replay rebuilds, in an empty read database, the read model that live delivery builds."""

import random

import pytest
from sqlalchemy import create_engine, text

from shared.platform import bus
from shared.platform.dialect import prepared_url
from shared.platform.migrate import migrate
from shared.read import projections
from shared.read.replay import replay
from tests.conftest import BASE, drop_database
from tests.support import bearer, payment_body, receipt_body

TABLES = {
    "party_views": "id",
    "receipt_views": "id",
    "payment_views": "id",
    "processed_events": "consumer, event_id",
}


def fresh_read_model(name: str):
    url = f"{BASE}/{name}"
    drop_database(url)
    migrate(url, "read_model")
    return create_engine(prepared_url(url))


def snapshot(engine) -> dict:
    """Every row of the read model, less the columns that record when it was written."""
    with engine.connect() as connection:
        tables = {}
        for table, order in TABLES.items():
            rows = connection.execute(text(f"SELECT * FROM {table} ORDER BY {order}")).mappings().all()
            tables[table] = [
                {column: value for column, value in row.items() if column not in ("projected_at", "processed_at")}
                for row in rows
            ]
        return tables


@pytest.fixture
def some_history(functions, merchant, bank):
    for _ in range(5):
        functions("submit_receipt").post("/", json=receipt_body(), headers=bearer(merchant["api_key"]))
        functions("submit_payment").post("/", json=payment_body(), headers=bearer(bank["api_key"]))


def test_replay_into_an_empty_database_equals_live_delivery(write_engine, some_history):
    live = fresh_read_model("receipts_read_live_test")
    rebuilt = fresh_read_model("receipts_read_replay_test")
    with write_engine.connect() as connection:
        before = connection.execute(text("SELECT count(*) FROM outbox")).scalar()
    applied = replay(write_engine, rebuilt)
    assert applied >= before >= 10  # every event recorded before it, and any the e2e tests' platform adds meanwhile
    with rebuilt.connect() as connection:
        replayed = connection.execute(text("SELECT event_id FROM processed_events")).scalars().all()
    with write_engine.connect() as connection:
        recorded = connection.execute(
            text(
                "SELECT id, type, subject, data, occurred_at FROM outbox"
                " WHERE id = ANY(CAST(:ids AS uuid[])) ORDER BY position"
            ),
            {"ids": [str(event_id) for event_id in replayed]},
        ).all()
    assert len(recorded) == applied
    # Live delivery: at least once, in any order.
    deliveries = [bus.envelope(r.id, r.type, r.subject, r.occurred_at, r.data) for r in recorded] * 2
    random.Random(7).shuffle(deliveries)
    # Except that a restatement (reconciliation's drift repair, an erasure) replaces whatever
    # state it finds, and is made only once its item's earlier events have arrived: the
    # events of a restated item arrive in their order.
    position = {str(r.id): index for index, r in enumerate(recorded)}
    restated = {event["subject"] for event in deliveries if event["type"].endswith(".restated.v1")}
    slots = [index for index, event in enumerate(deliveries) if event["subject"] in restated]
    for index, event in zip(slots, sorted((deliveries[i] for i in slots), key=lambda e: position[e["id"]])):
        deliveries[index] = event
    with live.begin() as connection:
        for event in deliveries:
            projections.project(connection, event)

    assert snapshot(rebuilt) == snapshot(live)
    assert len(snapshot(rebuilt)["receipt_views"]) >= 5
    live.dispose()
    rebuilt.dispose()
