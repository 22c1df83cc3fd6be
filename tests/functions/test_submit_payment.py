"""POST /v1/payments against the real write model (SPEC §4)."""

import pytest
from sqlalchemy import text

from tests.support import ADMIN_API_KEY, bearer, mask, payment_body, random_pan, remember

PAR = "V0010013018294182416718291746"


def post(functions, key, body=None, **kwargs):
    if body is not None:
        kwargs["json"] = body
    return functions("submit_payment").post("/", headers=bearer(key), **kwargs)


def stored_payments(write_engine, bank) -> list:
    with write_engine.connect() as connection:
        return connection.execute(
            text("SELECT id, masked_pan, account_ref, kind FROM payments WHERE bank_id = :id"), {"id": bank["id"]}
        ).all()


def test_the_pan_is_masked_on_arrival_everywhere(functions, bank, write_engine):
    body = payment_body()
    response = post(functions, bank["api_key"], body)
    assert response.status_code == 201
    assert response.json["masked_pan"] == mask(body["pan"])
    assert body["pan"] not in response.get_data(as_text=True)
    [payment] = stored_payments(write_engine, bank)
    assert payment.masked_pan == mask(body["pan"])
    with write_engine.connect() as connection:
        [event] = connection.execute(
            text("SELECT type, data::text AS data FROM outbox WHERE subject = :id"), {"id": payment.id}
        ).all()
    assert event.type == "receipts.payment.submitted.v1"
    assert mask(body["pan"]) in event.data and body["pan"] not in event.data


def test_a_wallet_token_is_masked_on_arrival_and_kept_with_the_account_s_par(functions, bank, write_engine):
    token_pan = "5" + random_pan()[1:]
    remember(token_pan)
    body = payment_body(
        token={"pan": token_pan, "wallet": "apple_pay"}, par=PAR, billing_amount=9310, billing_currency="SEK"
    )
    response = post(functions, bank["api_key"], body)
    assert response.status_code == 201, response.json
    assert token_pan not in response.get_data(as_text=True)
    with write_engine.connect() as connection:
        document, event = connection.execute(
            text(
                "SELECT p.document::text, o.data::text FROM payments p JOIN outbox o ON o.subject = p.id"
                " WHERE p.id = :id"
            ),
            {"id": response.json["id"]},
        ).one()
    for stored in (document, event):
        assert token_pan not in stored and body["pan"] not in stored
        assert mask(token_pan) in stored and PAR in stored and '"billing_currency": "SEK"' in stored


def test_a_payment_without_the_later_fields_keeps_its_shape(functions, bank, write_engine):
    response = post(functions, bank["api_key"], payment_body())
    with write_engine.connect() as connection:
        document = connection.execute(
            text("SELECT document FROM payments WHERE id = :id"), {"id": response.json["id"]}
        ).scalar_one()
    assert not {"token", "par", "cashback_amount", "billing_amount", "billing_currency"} & set(document)


def test_same_payment_twice_returns_the_first_id(functions, bank, write_engine):
    body = payment_body()
    first = post(functions, bank["api_key"], body)
    again = post(functions, bank["api_key"], body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert len(stored_payments(write_engine, bank)) == 1


def test_same_bank_payment_id_with_another_body_is_a_conflict(functions, bank, write_engine):
    body = payment_body()
    post(functions, bank["api_key"], body)
    response = post(functions, bank["api_key"], dict(body, amount=821))
    assert response.status_code == 409
    assert response.json["error"]["code"] == "idempotency_conflict"
    assert len(stored_payments(write_engine, bank)) == 1


def test_a_different_card_under_the_same_mask_is_still_a_conflict(functions, bank):
    body = payment_body()
    post(functions, bank["api_key"], body)
    same_mask = body["pan"][:6] + "".join(str((int(d) + 1) % 10) for d in body["pan"][6:-4]) + body["pan"][-4:]
    remember(same_mask)
    response = post(functions, bank["api_key"], dict(body, pan=same_mask))
    assert response.status_code == 409


RULES = [
    ("pan is digits", {"pan": "4123-4500-0000-1234"}, "pan", "string_pattern_mismatch"),
    ("pan is 12 to 19 digits", {"pan": "41234500"}, "pan", "string_pattern_mismatch"),
    ("amount at least 1", {"amount": 0}, "amount", "greater_than_equal"),
    ("amount is an integer", {"amount": 8.2}, "amount", "int_type"),
    ("known currency", {"currency": "XYZ"}, "currency", "unknown_currency"),
    ("kind is purchase or refund", {"kind": "chargeback"}, "kind", "literal_error"),
    ("auth code is 6 alphanumerics", {"auth_code": "A1B2C3D"}, "auth_code", "string_pattern_mismatch"),
    ("rrn is 12 alphanumerics", {"rrn": "63301234567"}, "rrn", "string_pattern_mismatch"),
    ("terminal id", {"terminal_id": ""}, "terminal_id", "string_pattern_mismatch"),
    ("transaction_date is a date", {"transaction_date": "2026-13-01"}, "transaction_date", "date_parsing"),
    ("transaction_time is a time", {"transaction_time": "25:00:00"}, "transaction_time", "invalid_local_time"),
    ("account_ref required", {"account_ref": None}, "account_ref", "string_type"),
    ("merchant name not empty", {"merchant_name": ""}, "merchant_name", "string_too_short"),
    ("no unknown fields", {"cvv": "123"}, "cvv", "extra_forbidden"),
    ("a PAR is 29 upper-case alphanumerics", {"par": PAR.lower()}, "par", "invalid_par"),
    (
        "cashback is less than the amount",
        {"amount": 2000, "cashback_amount": 2000},
        "cashback_amount",
        "cashback_not_below_amount",
    ),
    ("billing amount comes with its currency", {"billing_amount": 9310}, "billing_currency", "billing_incomplete"),
    ("a token's number comes once", {"token": {"wallet": "google_pay"}}, "token", "one_card_number"),
    (
        "a token names its wallet",
        {"token": {"masked_pan": "499999******4821", "wallet": "paypal"}},
        "token.wallet",
        "literal_error",
    ),
]


@pytest.mark.parametrize("rule, change, field, code", RULES, ids=[rule[0] for rule in RULES])
def test_each_rule_refuses_the_payment_and_writes_nothing(functions, bank, write_engine, rule, change, field, code):
    response = post(functions, bank["api_key"], payment_body(**change))
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "validation_failed"
    assert {"field": field, "code": code} in [
        {"field": d["field"], "code": d["code"]} for d in response.json["error"]["details"]
    ]
    assert stored_payments(write_engine, bank) == []


def test_a_validation_error_never_echoes_the_pan(functions, bank):
    body = payment_body(amount=0)
    response = post(functions, bank["api_key"], body)
    assert response.status_code == 422
    assert body["pan"] not in response.get_data(as_text=True)


def test_a_merchant_key_is_forbidden(functions, merchant):
    assert post(functions, merchant["api_key"], payment_body()).status_code == 403


def test_the_operator_key_is_forbidden(functions):
    assert post(functions, ADMIN_API_KEY, payment_body()).status_code == 403


def test_an_unknown_key_is_unauthenticated(functions):
    assert post(functions, "bk_unknown", payment_body()).status_code == 401


def test_a_form_body_is_unsupported(functions, bank, write_engine):
    response = post(functions, bank["api_key"], data={"pan": "4123450000001234"})
    assert response.status_code == 415
    assert stored_payments(write_engine, bank) == []


def test_malformed_json_is_a_bad_request(functions, bank, write_engine):
    response = post(functions, bank["api_key"], data="{", content_type="application/json")
    assert response.status_code == 400
    assert stored_payments(write_engine, bank) == []


def test_a_body_over_256_kib_is_too_large(functions, bank, write_engine):
    response = post(functions, bank["api_key"], payment_body(merchant_name="x" * (300 * 1024)))
    assert response.status_code == 413
    assert stored_payments(write_engine, bank) == []
