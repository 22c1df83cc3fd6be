"""The reconciliation report's failed callbacks, projected from callback events."""

import uuid

import pytest

from shared.domain import events
from shared.domain.parties import Party
from shared.platform.db import read_engine
from shared.read import report
from tests.support_events import cloud_event, deliver

DAY = "2025-05-05"


def payment_state(bank_id: str) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "bank_id": bank_id,
        "bank_payment_id": f"TXN-{uuid.uuid4().hex[:8]}",
        "account_ref": "acct-1",
        "masked_pan": "412345******1234",
        "auth_code": "A1B2C3",
        "amount": 990,
        "currency": "EUR",
        "transaction_date": DAY,
        "transaction_time": "10:00:00",
        "merchant_name": "Cafe",
        "terminal_id": "T1",
        "rrn": "633012345678",
        "kind": "purchase",
        "status": "matched",
        "receipt_id": None,
        "match_rule": "exact",
        "submitted_at": f"{DAY}T10:00:05+00:00",
        "version": 2,
    }


def failed(payment: dict, party_kind: str, party_id: str, attempts: int = 20) -> dict:
    callback_id = str(uuid.uuid4())
    return cloud_event(
        events.CALLBACK_FAILED,
        {
            "callback_id": callback_id,
            "payment_id": payment["id"],
            "party_kind": party_kind,
            "party_id": party_id,
            "status": "failed",
            "attempts": attempts,
            "last_error": "HTTP 500",
        },
        subject=callback_id,
    )


def failures(party: Party | None) -> list[tuple[str, int]]:
    with read_engine().connect() as connection:
        body = report.reconciliation(connection, party, report.ReportQuery(date=DAY))
    assert body["failed_callbacks"]["count"] == len(body["failed_callbacks"]["items"])
    return sorted((item["party_kind"], item["attempts"]) for item in body["failed_callbacks"]["items"])


@pytest.fixture
def callbacks_failed(functions):
    bank_id, merchant_id = str(uuid.uuid4()), str(uuid.uuid4())
    payment = payment_state(bank_id)
    for event in (
        cloud_event(events.PAYMENT_MATCHED, payment),
        failed(payment, "bank", bank_id),
        failed(payment, "merchant", merchant_id, attempts=19),
    ):
        assert deliver(functions, "project_read_model", event).status_code == 200
    return Party("bank", uuid.UUID(bank_id)), Party("merchant", uuid.UUID(merchant_id))


def test_failed_callbacks_are_listed_for_the_operator_and_each_party_sees_its_own(callbacks_failed):
    bank, merchant = callbacks_failed
    assert failures(None) == [("bank", 20), ("merchant", 19)]
    assert failures(bank) == [("bank", 20)]
    assert failures(merchant) == [("merchant", 19)]
    assert failures(Party("bank", uuid.uuid4())) == []


def test_a_report_of_the_calendars_first_days_has_a_shorter_series():
    """Found by make fuzz: 0001-02-06 with 85 days reached before year 1 (a 500)."""
    with read_engine().connect() as connection:
        body = report.reconciliation(connection, None, report.ReportQuery(date="0001-02-06", days=85))
    assert [day["date"] for day in body["match_rate"]["days"]][0] == "0001-01-01"
    assert len(body["match_rate"]["days"]) == 37
