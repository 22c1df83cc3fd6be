"""A submission and its outbox row commit together, or neither does (SPEC §7)."""

import pytest
from sqlalchemy import text

from shared.write import outbox
from tests.support import bearer, receipt_body


def receipts_named(write_engine, merchant_receipt_id) -> int:
    with write_engine.connect() as connection:
        return connection.execute(
            text("SELECT count(*) FROM receipts WHERE merchant_receipt_id = :id"), {"id": merchant_receipt_id}
        ).scalar_one()


def outbox_rows(write_engine) -> int:
    with write_engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM outbox")).scalar_one()


def test_a_crash_after_the_receipt_insert_leaves_neither_row(functions, merchant, write_engine, monkeypatch):
    def crash(connection, events):
        raise RuntimeError("process died between the receipt and its outbox row")

    monkeypatch.setattr(outbox, "write", crash)
    before = outbox_rows(write_engine)
    body = receipt_body()
    response = functions("submit_receipt").post("/", json=body, headers=bearer(merchant["api_key"]))
    assert response.status_code == 500
    assert receipts_named(write_engine, body["merchant_receipt_id"]) == 0
    assert outbox_rows(write_engine) == before


@pytest.fixture
def outbox_refuses_inserts(write_engine):
    with write_engine.begin() as connection:
        connection.execute(text("ALTER TABLE outbox ADD CONSTRAINT test_refuse CHECK (type = 'never') NOT VALID"))
    yield
    with write_engine.begin() as connection:
        connection.execute(text("ALTER TABLE outbox DROP CONSTRAINT test_refuse"))


def test_a_failing_outbox_insert_rolls_the_receipt_back(functions, merchant, write_engine, outbox_refuses_inserts):
    body = receipt_body()
    response = functions("submit_receipt").post("/", json=body, headers=bearer(merchant["api_key"]))
    assert response.status_code == 500
    assert receipts_named(write_engine, body["merchant_receipt_id"]) == 0


def test_after_the_fault_the_same_submission_succeeds(functions, merchant, write_engine, monkeypatch):
    body = receipt_body()
    monkeypatch.setattr(outbox, "write", lambda connection, events: 1 / 0)
    assert functions("submit_receipt").post("/", json=body, headers=bearer(merchant["api_key"])).status_code == 500
    monkeypatch.undo()
    response = functions("submit_receipt").post("/", json=body, headers=bearer(merchant["api_key"]))
    assert response.status_code == 201
    assert receipts_named(write_engine, body["merchant_receipt_id"]) == 1
