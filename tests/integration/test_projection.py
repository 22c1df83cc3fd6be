"""project_read_model on the real read database: exactly once, order-insensitive (SPEC §7)."""

import copy

from sqlalchemy import event as sql_events
from sqlalchemy import text

from shared.domain import events
from shared.platform.db import read_engine
from shared.read import projections
from tests.support_events import cloud_event, deliver, receipt_state


def receipt_row(receipt_id: str):
    with read_engine().connect() as connection:
        return connection.execute(
            text("SELECT status, version, bank_ids, totals FROM receipt_views WHERE id = :id"), {"id": receipt_id}
        ).one_or_none()


def tracked(event_id: str) -> int:
    with read_engine().connect() as connection:
        return connection.execute(
            text("SELECT count(*) FROM processed_events WHERE event_id = :id"), {"id": event_id}
        ).scalar_one()


def test_the_same_event_five_times_applies_once(functions):
    event = cloud_event(events.RECEIPT_SUBMITTED, receipt_state())
    for _ in range(5):
        assert deliver(functions, "project_read_model", event).status_code == 200
    assert receipt_row(event["data"]["id"]).version == 1
    assert tracked(event["id"]) == 1


def test_two_events_in_reverse_order_end_as_in_order(functions):
    submitted = receipt_state()
    bank = "6f1c2b1e-4d7a-4a34-9a1e-0c9d8e7f6a5b"
    matched = copy.deepcopy(submitted) | {"status": "matched", "version": 2, "bank_ids": [bank]}
    in_order = [cloud_event(events.RECEIPT_SUBMITTED, submitted), cloud_event(events.RECEIPT_MATCHED, matched)]
    reversed_state = receipt_state()
    reversed_matched = copy.deepcopy(reversed_state) | {"status": "matched", "version": 2, "bank_ids": [bank]}
    reverse = [
        cloud_event(events.RECEIPT_MATCHED, reversed_matched),
        cloud_event(events.RECEIPT_SUBMITTED, reversed_state),
    ]
    for event in in_order + reverse:
        assert deliver(functions, "project_read_model", event).status_code == 200
    first, second = receipt_row(submitted["id"]), receipt_row(reversed_state["id"])
    assert first == second
    assert (first.status, first.version, [str(bank_id) for bank_id in first.bank_ids]) == ("matched", 2, [bank])


def test_an_event_missing_its_data_is_refused_as_poison_and_changes_nothing(functions):
    state = receipt_state()
    del state["totals"]
    event = cloud_event(events.RECEIPT_SUBMITTED, state)
    response = deliver(functions, "project_read_model", event)
    assert response.status_code == 400
    assert receipt_row(state["id"]) is None
    assert tracked(event["id"]) == 0


def test_an_event_the_database_refuses_is_poison(functions):
    event = cloud_event(events.RECEIPT_SUBMITTED, receipt_state(submitted_at="not a time"))
    assert deliver(functions, "project_read_model", event).status_code == 400
    assert tracked(event["id"]) == 0


def test_event_types_without_a_view_are_tracked_and_ignored(functions):
    event = cloud_event("receipts.test.unshown.v1", {"id": "2b8f1d0e-3c4a-4e5b-8f9a-1b2c3d4e5f60"})
    assert deliver(functions, "project_read_model", event).status_code == 200
    assert tracked(event["id"]) == 1


def test_a_malformed_cloud_event_is_refused(functions):
    response = functions("project_read_model").post("/", data="{}", content_type="application/cloudevents+json")
    assert response.status_code == 400


def test_a_batch_is_claimed_in_one_statement_and_each_event_applied_once():
    submitted = receipt_state()
    matched = copy.deepcopy(submitted) | {
        "status": "matched",
        "version": 2,
        "bank_ids": ["6f1c2b1e-4d7a-4a34-9a1e-0c9d8e7f6a5b"],
    }
    first, second = cloud_event(events.RECEIPT_SUBMITTED, submitted), cloud_event(events.RECEIPT_MATCHED, matched)
    with read_engine().begin() as connection:
        assert projections.project(connection, first)  # applied before, alone
    with read_engine().begin() as connection:
        statements = []

        def listen(connection, cursor, statement, *args):
            statements.append(statement)

        sql_events.listen(connection, "before_cursor_execute", listen)
        # the earlier one again, and the new one twice: only the new one applies, once
        assert projections.project_all(connection, [first, second, second]) == 1
        sql_events.remove(connection, "before_cursor_execute", listen)
    assert sum("processed_events" in statement for statement in statements) == 1
    assert receipt_row(submitted["id"]).status == "matched" and tracked(second["id"]) == 1


def test_a_batch_ends_each_view_row_where_its_events_one_by_one_would_and_upserts_each_table_once():
    """Per row the newest state wins, out of order or not; a restatement replaces the row
    whatever its version, and a newer event after it in the batch still wins."""
    stale, restated, after = receipt_state(), receipt_state(), receipt_state()
    reordered = receipt_state()
    batch = [
        cloud_event(events.RECEIPT_MATCHED, reordered | {"status": "matched", "version": 3}),
        cloud_event(events.RECEIPT_SUBMITTED, reordered),  # older: changes nothing
        cloud_event(events.RECEIPT_SUBMITTED, stale | {"version": 5}),
        cloud_event(events.RECEIPT_RESTATED, restated | {"status": "expired", "version": 2}),
        cloud_event(events.RECEIPT_RESTATED, after | {"status": "expired", "version": 2}),
        cloud_event(events.RECEIPT_MATCHED, after | {"status": "matched", "version": 3}),
    ]
    with read_engine().begin() as connection:  # stored before: newer than the restatement's version
        projections.project_all(
            connection,
            [
                cloud_event(events.RECEIPT_MATCHED, state | {"status": "matched", "version": 7})
                for state in (stale, restated, after)
            ],
        )
    with read_engine().begin() as connection:
        statements = []

        def listen(connection, cursor, statement, *args):
            statements.append(statement)

        sql_events.listen(connection, "before_cursor_execute", listen)
        assert projections.project_all(connection, batch) == len(batch)
        sql_events.remove(connection, "before_cursor_execute", listen)
    assert (receipt_row(reordered["id"]).status, receipt_row(reordered["id"]).version) == ("matched", 3)
    assert receipt_row(stale["id"]).version == 7  # 5 is older than what is stored
    assert (receipt_row(restated["id"]).status, receipt_row(restated["id"]).version) == ("expired", 2)
    assert (receipt_row(after["id"]).status, receipt_row(after["id"]).version) == ("matched", 3)
    assert len(statements) == 3  # the claim, the version-guarded upsert, the restating one
