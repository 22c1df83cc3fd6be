"""The issuer's look-up (SPEC §10) against the real write model: one receipt, none, or
look-alikes under each rule of the cascade, and only what the asking bank may see."""

import logging
import random
import uuid

import pytest
from sqlalchemy import text

from shared.domain import events
from shared.write import outbox, services
from shared.write.unit_of_work import UnitOfWork
from tests.support import ADMIN_API_KEY, bearer, mask, payment_body, random_pan, receipt_body

DAY = "2026-11-26"


@pytest.fixture(autouse=True)
def unpublished(monkeypatch):
    """These tests match by hand; nothing needs the live platform."""
    monkeypatch.setattr(outbox, "publish_committed", lambda engine, events: None)


def slip(functions, merchant, pan, amount=820, **card):
    """A receipt of merchant paid by one card line (amount, and card fields as given)."""
    line = {
        "masked_pan": mask(pan),
        "auth_code": "A1B2C3",
        "amount": amount,
        "currency": "EUR",
        "transaction_date": DAY,
        "transaction_time": "13:45:02",
        "terminal_id": "T0001",
        "rrn": "633012345678",
        **card,
    }
    line = {key: value for key, value in line.items() if value is not None}
    body = receipt_body(
        pan,
        lines=[{"description": "Lunch", "quantity": 1, "unit_price": amount, "amount": amount}],
        totals={"subtotal": amount, "tax": 0, "tip": 0, "total": amount},
        payments=[line],
    )
    response = functions("submit_receipt").post("/", json=body, headers=bearer(merchant["api_key"]))
    assert response.status_code == 201, response.json
    return response.json["id"]


def look_up(functions, bank, pan, **fields):
    body = {"pan": pan, "auth_code": "A1B2C3", "amount": 820, "currency": "EUR", "transaction_date": DAY, **fields}
    return functions("lookup_receipt").post(
        "/", json={key: value for key, value in body.items() if value is not None}, headers=bearer(bank["api_key"])
    )


def found(response):
    assert response.status_code == 200, response.json
    return response.json["receipt"]["id"], response.json["match_rule"]


def test_the_exact_rule_finds_the_one_receipt_with_its_items(functions, merchant, bank):
    pan = random_pan()
    receipt_id = slip(functions, merchant, pan)
    response = look_up(functions, bank, pan)
    assert found(response) == (receipt_id, "exact")
    receipt = response.json["receipt"]
    assert receipt["merchant"] == {"id": merchant["id"], "name": merchant["name"]}
    assert receipt["lines"][0]["description"] == "Lunch" and receipt["payments"][0]["masked_pan"] == mask(pan)
    assert response.json["receipt_url"].endswith(f"/v1/receipts/{receipt_id}")
    assert response.json["receipt_formats"]["arts"] == response.json["receipt_url"] + "/arts"
    assert receipt["legal"] == {"jurisdiction": None, "complete": None, "missing": []}  # a merchant of no known country
    assert found(look_up(functions, bank, None, masked_pan=mask(pan))) == (receipt_id, "exact")


def test_no_fitting_receipt_is_404(functions, merchant, bank):
    pan = random_pan()
    slip(functions, merchant, pan)
    # Below the slip's amount, above it by more than a tip, another currency, days apart, another auth code.
    for fields in (
        {"amount": 819},
        {"amount": 1026},
        {"currency": "USD"},
        {"transaction_date": "2026-11-20"},
        {"auth_code": "ZZZ999"},
    ):
        response = look_up(functions, bank, pan, **fields)
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found", fields
    assert look_up(functions, bank, random_pan()).status_code == 404


@pytest.mark.parametrize(
    "rule, receipts, asked",
    [
        # (the rule that decides, the receipts' card lines, the statement line asked about)
        ("exact", [{}, {}], {}),
        ("date_window", [{"transaction_date": "2026-11-27"}], {"transaction_date": "2026-11-28"}),
        ("date_window", [{"transaction_date": "2026-11-25"}, {"transaction_date": "2026-11-27"}], {}),
        ("tip", [{}], {"amount": 1000}),
        ("tip", [{}, {"amount": 800}], {"amount": 1000}),
        ("no_auth_code", [{"auth_code": None}], {"auth_code": None, "terminal_id": "T0001", "rrn": "633012345678"}),
        ("no_auth_code", [{"auth_code": None}], {"auth_code": "ZZZ999", "terminal_id": "T0001", "rrn": "633012345678"}),
        (
            "no_auth_code",
            [{"auth_code": None}, {"auth_code": "QQQ111"}],
            {"auth_code": None, "terminal_id": "T0001", "rrn": "633012345678"},
        ),
    ],
)
def test_each_rule_finds_one_receipt_or_answers_ambiguous_for_look_alikes(
    functions, merchant, bank, rule, receipts, asked
):
    pan = random_pan()
    ids = [slip(functions, merchant, pan, **card) for card in receipts]
    response = look_up(functions, bank, pan, **asked)
    if len(ids) == 1:
        assert found(response) == (ids[0], rule)
    else:
        assert response.status_code == 409 and response.json["error"]["code"] == "ambiguous"
        assert rule in response.json["error"]["message"]


def test_an_earlier_rule_decides_before_a_later_one(functions, merchant, bank):
    pan = random_pan()
    exact = slip(functions, merchant, pan)
    slip(functions, merchant, pan, transaction_date="2026-11-27")  # a look-alike under date_window only
    assert found(look_up(functions, bank, pan)) == (exact, "exact")


def test_a_receipt_matched_to_another_banks_payment_is_invisible(functions, merchant, bank, write_engine):
    other_bank = (
        functions("create_bank")
        .post("/", json={"name": "Other", "callback_url": "http://127.0.0.1:9/"}, headers=bearer(ADMIN_API_KEY))
        .json
    )
    pan = random_pan()
    matched = slip(functions, merchant, pan)
    payment = functions("submit_payment").post("/", json=payment_body(pan=pan), headers=bearer(bank["api_key"])).json
    services.match_submissions(
        [{"id": str(uuid.uuid4()), "type": events.PAYMENT_SUBMITTED, "subject": payment["id"]}], UnitOfWork()
    )
    with write_engine.connect() as connection:
        assert (
            connection.execute(text("SELECT status FROM receipts WHERE id = :id"), {"id": matched}).scalar_one()
            == "matched"
        )
    assert found(look_up(functions, bank, pan)) == (matched, "exact")  # the bank whose payment it matched
    assert look_up(functions, other_bank, pan).status_code == 404  # not a hint that it exists
    look_alike = slip(functions, merchant, pan)
    assert found(look_up(functions, other_bank, pan)) == (look_alike, "exact")
    assert look_up(functions, bank, pan).status_code == 409


def test_a_look_up_changes_nothing_and_logs_no_card_number(functions, merchant, bank, write_engine, caplog):
    pan = random_pan()
    slip(functions, merchant, pan)
    count = text(
        "SELECT (SELECT count(*) FROM outbox) + (SELECT count(*) FROM receipt_card_payments"
        " WHERE payment_id IS NOT NULL) + (SELECT count(*) FROM ambiguities)"
    )
    with write_engine.connect() as connection:
        before = connection.execute(count).scalar_one()
    with caplog.at_level(logging.INFO):
        found(look_up(functions, bank, pan))
        look_up(functions, bank, pan, amount=999)
    with write_engine.connect() as connection:
        assert connection.execute(count).scalar_one() == before
    assert "lookup.answered" in caplog.text and pan not in caplog.text and mask(pan) not in caplog.text


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"masked_pan": "412345******1234"}, "pan"),  # both numbers
        ({"card_number": None}, "pan"),  # neither
        ({"card_number": None, "masked_pan": "4123450000001234"}, "masked_pan"),  # a full PAN as the masked one
        ({"amount": 0}, "amount"),
        ({"transaction_date": "26.11.2026"}, "transaction_date"),
    ],
)
def test_a_bad_statement_line_is_422(functions, bank, fields, field):
    response = look_up(functions, bank, fields.pop("card_number", random_pan()), **fields)
    assert response.status_code == 422
    assert field in [detail["field"] for detail in response.json["error"]["details"]]


def test_only_a_bank_looks_up(functions, merchant):
    response = look_up(functions, merchant, random_pan())
    assert response.status_code == 403


# Card data as slips print it (SPEC §12).
def test_a_last4_slip_is_found_by_the_banks_full_card_number(functions, merchant, bank):
    pan = random_pan()
    receipt_id = slip(functions, merchant, pan, masked_pan="************" + pan[-4:])
    assert found(look_up(functions, bank, pan)) == (receipt_id, "exact")
    assert look_up(functions, bank, random_pan()[:-4] + pan[-4:], rrn="600000000999").status_code == 404


def test_a_slip_with_no_card_digits_is_found_by_the_acquirers_reference(functions, merchant, bank):
    # An amount of its own: other tests' slips of the default 8.20 may end in the same 4 digits.
    pan, rrn, amount = random_pan(), str(random.randrange(10**11, 10**12)), random.randrange(10**5, 10**6)
    receipt_id = slip(functions, merchant, pan, amount, masked_pan=None, rrn=rrn, terminal_id="T-42")
    assert found(look_up(functions, bank, pan, amount=amount, rrn=rrn, terminal_id="T-42")) == (receipt_id, "exact")
    # Without the reference, nothing to find it by.
    assert look_up(functions, bank, pan, amount=amount).status_code == 404


def test_a_look_up_without_an_auth_code_compares_what_the_bank_sent(functions, merchant, bank):
    pan = random_pan()
    first = slip(functions, merchant, pan)
    assert found(look_up(functions, bank, pan, auth_code=None)) == (first, "no_auth_code")
    slip(functions, merchant, pan, auth_code="Z9Z9Z9")  # the same card, amount and date
    response = look_up(functions, bank, pan, auth_code=None)
    assert response.status_code == 409 and response.json["error"]["code"] == "ambiguous"
