"""POST /v1/receipts against the real write model (SPEC §4)."""

import copy
import json
import random
import uuid

import pytest
from sqlalchemy import text

from tests.support import ADMIN_API_KEY, bearer, fiscal_block, receipt_body


def post(functions, key, body=None, **kwargs):
    if body is not None:
        kwargs["json"] = body
    return functions("submit_receipt").post("/", headers=bearer(key), **kwargs)


def stored_receipts(write_engine, merchant) -> int:
    with write_engine.connect() as connection:
        return connection.execute(
            text("SELECT count(*) FROM receipts WHERE merchant_id = :id"), {"id": merchant["id"]}
        ).scalar_one()


def outbox_rows(write_engine, subject) -> list:
    with write_engine.connect() as connection:
        return connection.execute(
            text("SELECT type, data FROM outbox WHERE subject = :subject"), {"subject": subject}
        ).all()


def test_a_new_receipt_is_stored_unmatched_with_its_lines_and_event(functions, merchant, write_engine):
    body = receipt_body()
    response = post(functions, merchant["api_key"], body)
    assert response.status_code == 201
    receipt = response.json
    assert receipt["status"] == "unmatched"
    assert receipt["merchant_receipt_id"] == body["merchant_receipt_id"]
    with write_engine.connect() as connection:
        lines = connection.execute(
            text("SELECT description, amount FROM receipt_lines WHERE receipt_id = :id ORDER BY line_no"),
            {"id": receipt["id"]},
        ).all()
        card = connection.execute(
            text("SELECT masked_pan, auth_code FROM receipt_card_payments WHERE receipt_id = :id"),
            {"id": receipt["id"]},
        ).one()
    assert [tuple(line) for line in lines] == [("Espresso", 500), ("Croissant", 320)]
    assert card.masked_pan == body["payments"][0]["masked_pan"]
    [event] = outbox_rows(write_engine, receipt["id"])
    assert event.type == "receipts.receipt.submitted.v1"
    assert event.data["id"] == receipt["id"]
    assert event.data["lines"][0]["description"] == "Espresso"


def test_same_receipt_twice_returns_the_first_id(functions, merchant, write_engine):
    body = receipt_body()
    first = post(functions, merchant["api_key"], body)
    again = post(functions, merchant["api_key"], json.loads(json.dumps(body, indent=2)))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert stored_receipts(write_engine, merchant) == 1
    assert len(outbox_rows(write_engine, first.json["id"])) == 1


def test_same_receipt_id_with_another_body_is_a_conflict(functions, merchant, write_engine):
    body = receipt_body()
    first = post(functions, merchant["api_key"], body)
    changed = copy.deepcopy(body)
    changed["lines"][1]["description"] = "Pain au chocolat"
    response = post(functions, merchant["api_key"], changed)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "idempotency_conflict"
    assert stored_receipts(write_engine, merchant) == 1
    assert first.json["id"]


def test_two_merchants_may_use_the_same_receipt_id(functions, merchant, write_engine):
    from tests.conftest import _register

    other = _register(functions, "merchant")
    body = receipt_body()
    assert post(functions, merchant["api_key"], body).status_code == 201
    assert post(functions, other["api_key"], body).status_code == 201


def refused_writing_nothing(functions, merchant, write_engine, body: dict, field: str, code: str) -> None:
    """The body is 422 with the rule at its field among the details, and nothing is stored."""
    response = post(functions, merchant["api_key"], body)
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["code"] == "validation_failed"
    assert {"field": field, "code": code} in [{"field": d["field"], "code": d["code"]} for d in error["details"]]
    assert stored_receipts(write_engine, merchant) == 0


def _set(path, value):
    def mutate(body):
        target = body
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(path):
    def mutate(body):
        target = body
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


RULES = [
    (
        "line amount is quantity × unit price",
        _set(("lines", 0, "amount"), 499),
        "lines[0].amount",
        "line_amount_mismatch",
    ),
    ("subtotal is the sum of lines", _set(("totals", "subtotal"), 821), "totals.subtotal", "subtotal_mismatch"),
    ("total is subtotal + tax + tip", _set(("totals", "tip"), 100), "totals.total", "total_mismatch"),
    ("payments add up to the total", _set(("payments", 0, "amount"), 800), "payments", "payments_total_mismatch"),
    (
        "payments in the receipt's currency",
        _set(("payments", 0, "currency"), "USD"),
        "payments[0].currency",
        "payment_currency_mismatch",
    ),
    (
        "no full PAN",
        _set(("payments", 0, "masked_pan"), "4123450000001234"),
        "payments[0].masked_pan",
        "full_pan_not_allowed",
    ),
    (
        "masked PAN shape",
        _set(("payments", 0, "masked_pan"), "4123******1234"),
        "payments[0].masked_pan",
        "invalid_masked_pan",
    ),
    (
        "no full PAN, however spaced",
        _set(("payments", 0, "masked_pan"), "4123 4500 0000 1234"),
        "payments[0].masked_pan",
        "full_pan_not_allowed",
    ),
    (
        "at least the last 4 digits",
        _set(("payments", 0, "masked_pan"), "**** **** **** 123"),
        "payments[0].masked_pan",
        "invalid_masked_pan",
    ),
    (
        "card digits, or the acquirer's reference",
        lambda body: [body["payments"][0].pop(key) for key in ("masked_pan", "rrn")],
        "payments[0]",
        "card_data_missing",
    ),
    ("known currency", _set(("currency",), "ABC"), "currency", "unknown_currency"),
    ("currency is alpha-3", _set(("currency",), "eur"), "currency", "string_pattern_mismatch"),
    ("money is an integer", _set(("totals", "tax"), 0.5), "totals.tax", "int_type"),
    ("money is not a string", _set(("lines", 1, "unit_price"), "320"), "lines[1].unit_price", "int_type"),
    ("no negative prices", _set(("lines", 1, "unit_price"), -320), "lines[1].unit_price", "greater_than_equal"),
    ("quantity at least 1", _set(("lines", 1, "quantity"), 0), "lines[1].quantity", "greater_than_equal"),
    ("at least one line", _set(("lines",), []), "lines", "too_short"),
    ("at least one payment", _set(("payments",), []), "payments", "too_short"),
    ("issued_at has an offset", _set(("issued_at",), "2026-11-26T13:45:10"), "issued_at", "timezone_aware"),
    ("issued_at is a time", _set(("issued_at",), "yesterday"), "issued_at", "datetime_parsing"),
    (
        "transaction_date is a date",
        _set(("payments", 0, "transaction_date"), "26/11/2026"),
        "payments[0].transaction_date",
        "date_parsing",
    ),
    (
        "transaction_time has no offset",
        _set(("payments", 0, "transaction_time"), "13:45:02+01:00"),
        "payments[0].transaction_time",
        "time_with_offset",
    ),
    (
        "auth code is 6 alphanumerics",
        _set(("payments", 0, "auth_code"), "A1B2"),
        "payments[0].auth_code",
        "string_pattern_mismatch",
    ),
    ("rrn is 12 alphanumerics", _set(("payments", 0, "rrn"), "12345"), "payments[0].rrn", "string_pattern_mismatch"),
    ("receipt id required", _delete(("merchant_receipt_id",)), "merchant_receipt_id", "missing"),
    ("receipt id not empty", _set(("merchant_receipt_id",), ""), "merchant_receipt_id", "string_too_short"),
    ("no unknown fields", _set(("note",), "hello"), "note", "extra_forbidden"),
    ("description required", _delete(("lines", 0, "description")), "lines[0].description", "missing"),
    ("a PAR is 29 upper-case alphanumerics", _set(("payments", 0, "par"), "V001"), "payments[0].par", "invalid_par"),
    (
        "a wallet is one the slip names",
        _set(("payments", 0, "wallet"), "paypal"),
        "payments[0].wallet",
        "literal_error",
    ),
    (
        "cashback is part of the card line",
        _set(("payments", 0, "cashback"), 820),
        "payments[0].cashback",
        "cashback_not_below_amount",
    ),
    (
        "tenders add up to the total and the cashback",
        _set(("payments", 0, "cashback"), 500),
        "payments",
        "payments_total_mismatch",
    ),
    (
        "a DCC block has its amount",
        _set(("payments", 0, "dcc"), {"currency": "SEK"}),
        "payments[0].dcc.amount",
        "missing",
    ),
    (
        "a DCC block has its currency",
        _set(("payments", 0, "dcc"), {"amount": 9310}),
        "payments[0].dcc.currency",
        "missing",
    ),
]


@pytest.mark.parametrize("rule, mutate, field, code", RULES, ids=[rule[0] for rule in RULES])
def test_each_rule_refuses_the_receipt_and_writes_nothing(functions, merchant, write_engine, rule, mutate, field, code):
    body = receipt_body()
    mutate(body)
    refused_writing_nothing(functions, merchant, write_engine, body, field, code)


def test_a_wallet_slip_with_cashback_and_dcc_is_kept_as_printed(functions, merchant, write_engine):
    body = receipt_body()
    body["payments"][0] |= {
        "wallet": "apple_pay",
        "par": "V0010013018294182416718291746",
        "amount": 2820,
        "cashback": 2000,
        "dcc": {"currency": "SEK", "amount": 32290, "exchange_rate": "11.4503", "markup_percent": "3.5"},
    }
    response = post(functions, merchant["api_key"], body)
    assert response.status_code == 201, response.json
    with write_engine.connect() as connection:
        document = connection.execute(
            text("SELECT document FROM receipts WHERE id = :id"), {"id": response.json["id"]}
        ).scalar_one()
    [line] = document["payments"]
    assert {key: line[key] for key in ("wallet", "par", "cashback", "dcc")} == {
        key: body["payments"][0][key] for key in ("wallet", "par", "cashback", "dcc")
    }


def test_an_error_never_echoes_the_card_number(functions, merchant):
    body = receipt_body()
    body["payments"][0]["masked_pan"] = "4123459876541234"
    response = post(functions, merchant["api_key"], body)
    assert response.status_code == 422
    assert "4123459876541234" not in response.get_data(as_text=True)


def test_a_bank_key_is_forbidden(functions, bank, write_engine):
    response = post(functions, bank["api_key"], receipt_body())
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"


def test_the_operator_key_is_forbidden(functions):
    response = post(functions, ADMIN_API_KEY, receipt_body())
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "unauthenticated"),
        ({"Authorization": "Bearer rcpt_mk_not-a-real-key"}, "invalid_key"),
        ({"Authorization": "Basic abc"}, "unauthenticated"),
    ],
)
def test_a_missing_or_unknown_key_is_unauthenticated(functions, headers, code):
    response = functions("submit_receipt").post("/", json=receipt_body(), headers=headers)
    assert response.status_code == 401
    assert response.json["error"]["code"] == code


def test_a_body_over_256_kib_is_too_large(functions, merchant, write_engine):
    body = receipt_body()
    body["lines"][0]["description"] = "x" * (300 * 1024)
    response = post(functions, merchant["api_key"], body)
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"
    assert stored_receipts(write_engine, merchant) == 0


def test_a_form_body_is_unsupported(functions, merchant, write_engine):
    response = post(functions, merchant["api_key"], data={"merchant_receipt_id": "POS-1"})
    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media_type"
    assert stored_receipts(write_engine, merchant) == 0


@pytest.mark.parametrize("raw", ['{"merchant_receipt_id": ', "not json", "\xff\xfe"])
def test_malformed_json_is_a_bad_request(functions, merchant, write_engine, raw):
    response = post(functions, merchant["api_key"], data=raw.encode("latin-1"), content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "malformed_json"
    assert stored_receipts(write_engine, merchant) == 0


def test_json_that_is_not_an_object_is_a_validation_error(functions, merchant):
    response = post(functions, merchant["api_key"], data="[]", content_type="application/json")
    assert response.status_code == 422


def test_only_post_is_allowed(functions, merchant):
    response = functions("submit_receipt").get("/", headers=bearer(merchant["api_key"]))
    assert response.status_code == 405 and response.headers["Allow"] == "POST"


@pytest.mark.parametrize(
    "printed, stored",
    [
        ("************3602", "************3602"),
        ("**** **** **** 0979", "************0979"),
        ("XXXX XXXX XXXX 1234", "************1234"),
        ("412345XXXXXX1234", "412345******1234"),
        (None, None),
    ],
)
def test_a_card_line_is_stored_as_the_slip_prints_it_normalised(functions, merchant, write_engine, printed, stored):
    body = receipt_body()
    body["payments"][0]["masked_pan"] = printed
    # An RRN of its own: a slip with no digits is a look-alike of every payment with its reference.
    body["payments"][0]["rrn"] = rrn = str(random.randrange(10**11, 10**12))
    if printed is None:
        del body["payments"][0]["masked_pan"]  # no digits: the RRN and terminal id identify it
    response = post(functions, merchant["api_key"], body)
    assert response.status_code == 201, response.json
    with write_engine.connect() as connection:
        row = connection.execute(
            text("SELECT masked_pan, pan_last4, pan_bin, rrn FROM receipt_card_payments WHERE receipt_id = :id"),
            {"id": response.json["id"]},
        ).one()
    assert (row.masked_pan, row.rrn) == (stored, rrn)
    assert (row.pan_last4, row.pan_bin) == (
        (stored[-4:], stored[:6] if stored[0].isdigit() else None) if stored else (None, None)
    )


def test_the_database_itself_refuses_a_full_card_number(write_engine):
    with write_engine.connect() as connection, pytest.raises(Exception, match="masked_pan_check"):
        connection.execute(
            text(
                "UPDATE receipt_card_payments SET masked_pan = '4123450000001234'"
                " WHERE receipt_id = (SELECT receipt_id FROM receipt_card_payments LIMIT 1)"
            )
        )


def vat_body() -> dict:
    """A receipt with gross prices at 19 % and 7 %, a member discount and a cash part."""
    body = receipt_body(
        prices_include_vat=True,
        lines=[
            {"description": "Espresso", "quantity": 2, "unit_price": 250, "amount": 500, "vat_rate": 19},
            {
                "description": "Croissant",
                "quantity": 1,
                "unit_price": 350,
                "amount": 320,
                "vat_rate": 7,
                "discounts": [{"description": "Member", "amount": 30}],
            },
        ],
    )
    # 19 %: 500 gross has 79.83 → 80 VAT; 7 %: 320 gross has 20.93 → 21.
    body["totals"] = {
        "subtotal": 820,
        "tax": 101,
        "tip": 0,
        "total": 820,
        "vat": [{"rate": 19, "net": 420, "vat": 80, "gross": 500}, {"rate": 7, "net": 299, "vat": 21, "gross": 320}],
    }
    body["payments"][0]["amount"] = 700
    body["payments"].append({"type": "cash", "amount": 120})
    return body


VAT_RULES = [
    (
        "VAT within a minor unit per line",
        _set(("totals", "vat", 0), {"rate": 19, "net": 418, "vat": 82, "gross": 500}),
        "totals.vat[0].vat",
        "vat_mismatch",
    ),
    ("net + vat is gross", _set(("totals", "vat", 0, "net"), 421), "totals.vat[0]", "vat_entry_mismatch"),
    (
        "gross is the lines at the rate",
        _set(("totals", "vat", 1), {"rate": 7, "net": 309, "vat": 21, "gross": 330}),
        "totals.vat[1].gross",
        "vat_base_mismatch",
    ),
    ("tax is the sum of the VAT", _set(("totals", "tax"), 100), "totals.tax", "tax_mismatch"),
    (
        "one entry per rate used",
        lambda body: body["totals"]["vat"].append({"rate": 25, "net": 0, "vat": 0, "gross": 0}),
        "totals.vat",
        "vat_rates_mismatch",
    ),
    ("every line has its rate", _delete(("lines", 1, "vat_rate")), "lines[1].vat_rate", "vat_rate_missing"),
    ("a rate has 2 decimals at most", _set(("lines", 1, "vat_rate"), 7.125), "lines[1].vat_rate", "vat_rate_precision"),
    ("a rate is a number", _set(("lines", 1, "vat_rate"), "7"), "lines[1].vat_rate", "vat_rate_type"),
    ("a discount adds up", _set(("lines", 1, "discounts", 0, "amount"), 20), "lines[1].amount", "line_amount_mismatch"),
    (
        "a discount is at most the price",
        _set(("lines", 1, "discounts", 0, "amount"), 400),
        "lines[1].discounts",
        "discount_exceeds_price",
    ),
    ("total is subtotal + tip with VAT included", _set(("totals", "tip"), 5), "totals.total", "total_mismatch"),
    ("tenders add up to the total", _set(("payments", 1, "amount"), 100), "payments", "payments_total_mismatch"),
    ("a known tender", _set(("payments", 1, "type"), "crypto"), "payments[1].type", "literal_error"),
    ("a card payment line", _set(("payments",), [{"type": "cash", "amount": 820}]), "payments", "no_card_payment"),
    (
        "the TSE signed the receipt's gross per rate",
        _set(("fiscal",), fiscal_block("5.00", "3.30", "8.30:Unbar")),
        "fiscal.process_data",
        "fiscal_mismatch",
    ),
    (
        "a Kassenbeleg-V1's process data",
        _set(("fiscal",), {**fiscal_block("5.00", "3.20", "8.20:Unbar"), "process_data": "Beleg^5.00^8.20:Unbar"}),
        "fiscal.process_data",
        "fiscal_mismatch",
    ),
]


@pytest.mark.parametrize("rule, mutate, field, code", VAT_RULES, ids=[rule[0] for rule in VAT_RULES])
def test_each_vat_and_tender_rule_refuses_the_receipt_and_writes_nothing(
    functions, merchant, write_engine, rule, mutate, field, code
):
    body = vat_body()
    mutate(body)
    refused_writing_nothing(functions, merchant, write_engine, body, field, code)


def test_a_fiscal_block_that_agrees_with_the_receipt_is_kept(functions, merchant, write_engine):
    body = vat_body() | {"fiscal": fiscal_block("5.00", "3.20", "1.20:Bar_7.00:Unbar")}
    response = post(functions, merchant["api_key"], body)
    assert response.status_code == 201, response.json
    with write_engine.connect() as connection:
        document = connection.execute(
            text("SELECT document FROM receipts WHERE id = :id"), {"id": response.json["id"]}
        ).scalar_one()
    assert document["fiscal"] == body["fiscal"]


def test_vat_per_rate_is_computed_when_absent_and_tenders_are_kept(functions, merchant, write_engine):
    body = vat_body()
    stated = body["totals"].pop("vat")
    response = post(functions, merchant["api_key"], body)
    assert response.status_code == 201, response.json
    with write_engine.connect() as connection:
        document = connection.execute(
            text("SELECT document FROM receipts WHERE id = :id"), {"id": response.json["id"]}
        ).scalar_one()
        card_lines = connection.execute(
            text("SELECT count(*) FROM receipt_card_payments WHERE receipt_id = :id"), {"id": response.json["id"]}
        ).scalar_one()
    assert document["totals"]["vat"] == stated
    assert document["payments"][1] == {"type": "cash", "amount": 120} and card_lines == 1
    assert document["lines"][1]["discounts"] == [{"description": "Member", "amount": 30}]
    assert document["prices_include_vat"] is True


def grocery_body() -> dict:
    """A till's receipt as real counters print it (SPEC §12): bananas weighed, a bottle with its
    deposit outside VAT, "3 for 2" on three sodas shared over them, and cash rounding."""
    body = receipt_body(
        prices_include_vat=True,
        currency="SEK",
        lines=[
            {
                "description": "Bananer",
                "quantity": 0.846,
                "unit": "KGM",
                "unit_price": 2490,
                "amount": 2107,
                "vat_rate": 12,
            },
            {"description": "Läsk", "quantity": 3, "unit_price": 2000, "amount": 6000, "vat_rate": 12},
            {
                "description": "Pant",
                "quantity": 3,
                "unit_price": 200,
                "amount": 600,
                "vat_rate": None,
                "vat_exemption": "deposit",
            },
        ],
    )
    body["discounts"] = [{"description": "3 för 2", "amount": 2000, "shares": [{"line": 1, "amount": 2000}]}]
    # 12 %: 21.07 + 60.00 − 20.00 = 61.07 gross has 6.54 VAT; the pant none. 66.07, rounded to 66.00.
    body["totals"] = {
        "subtotal": 6707,
        "tax": 654,
        "tip": 0,
        "rounding": -7,
        "total": 6700,
        "vat": [{"rate": 12, "net": 5453, "vat": 654, "gross": 6107}],
    }
    body["payments"][0] |= {"amount": 5000, "currency": "SEK"}
    body["payments"].append({"type": "cash", "amount": 1700})
    return body


def test_a_discount_beyond_a_line_at_a_vat_rate_is_refused_at_the_line(functions, merchant, write_engine):
    """With no breakdown stated, the platform would compute one: a line's base below zero is
    the discount's fault, said at the line."""
    body = grocery_body()
    del body["totals"]["vat"]
    body["discounts"] = [{"description": "Gratis", "amount": 9000, "shares": [{"line": 1, "amount": 9000}]}]
    refused_writing_nothing(functions, merchant, write_engine, body, "lines[1]", "discount_exceeds_line")


def test_weighed_goods_deposits_receipt_discounts_and_cash_rounding_are_kept(functions, merchant, write_engine):
    body = grocery_body()
    response = post(functions, merchant["api_key"], body)
    assert response.status_code == 201, response.json
    assert response.json["warnings"] == []  # the platform's own JSON is taken only when it adds up
    with write_engine.connect() as connection:
        document = connection.execute(
            text("SELECT document FROM receipts WHERE id = :id"), {"id": response.json["id"]}
        ).scalar_one()
        quantities = (
            connection.execute(
                text("SELECT quantity FROM receipt_lines WHERE receipt_id = :id ORDER BY line_no"),
                {"id": response.json["id"]},
            )
            .scalars()
            .all()
        )
    assert [str(quantity) for quantity in quantities] == ["0.846", "3.000", "3.000"]
    assert document["lines"][0] == body["lines"][0] | {"sku": None}
    assert document["lines"][2]["vat_exemption"] == "deposit" and document["discounts"] == body["discounts"]
    assert document["totals"]["rounding"] == -7


def test_a_receipt_in_the_old_shape_is_stored_in_it(functions, merchant, write_engine):
    response = post(functions, merchant["api_key"], receipt_body())
    with write_engine.connect() as connection:
        document = connection.execute(
            text("SELECT document FROM receipts WHERE id = :id"), {"id": response.json["id"]}
        ).scalar_one()
    assert "rounding" not in document["totals"] and "unit" not in document["lines"][0]
    assert "discounts" not in document and "kind" not in document


GROCERY_RULES = [
    (
        "a weighed amount is rounded half up",
        _set(("lines", 0, "amount"), 2106),
        "lines[0].amount",
        "line_amount_mismatch",
    ),
    (
        "a quantity has 3 decimals at most",
        _set(("lines", 0, "quantity"), 0.8461),
        "lines[0].quantity",
        "quantity_precision",
    ),
    ("a quantity is a number", _set(("lines", 0, "quantity"), "0.846"), "lines[0].quantity", "quantity_type"),
    ("a quantity is more than 0", _set(("lines", 0, "quantity"), 0.0), "lines[0].quantity", "greater_than_equal"),
    ("pieces are counted whole", _set(("lines", 1, "quantity"), 2.5), "lines[1].quantity", "quantity_not_whole"),
    (
        "a unit is a Recommendation 20 code",
        _set(("lines", 0, "unit"), "kg"),
        "lines[0].unit",
        "string_pattern_mismatch",
    ),
    ("a line outside VAT says why", _delete(("lines", 2, "vat_exemption")), "lines[2].vat_rate", "vat_rate_missing"),
    ("a known exemption", _set(("lines", 2, "vat_exemption"), "zero"), "lines[2].vat_exemption", "literal_error"),
    (
        "a rate or an exemption, not both",
        _set(("lines", 2, "vat_rate"), 12),
        "lines[2].vat_exemption",
        "vat_exemption_with_rate",
    ),
    (
        "shares add up to the discount",
        _set(("discounts", 0, "shares", 0, "amount"), 1900),
        "discounts[0].shares",
        "discount_shares_mismatch",
    ),
    (
        "a share names a line",
        _set(("discounts", 0, "shares", 0, "line"), 7),
        "discounts[0].shares[0].line",
        "discount_line_unknown",
    ),
    (
        "a share is at most its line",
        _set(
            ("discounts", 0),
            {
                "description": "Gratis",
                "amount": 2500,
                "shares": [{"line": 1, "amount": 1800}, {"line": 2, "amount": 700}],
            },
        ),
        "lines[2]",
        "discount_exceeds_line",
    ),
    ("a discount has shares", _set(("discounts", 0, "shares"), []), "discounts[0].shares", "too_short"),
    (
        "subtotal less the receipt's discounts",
        _set(("totals", "subtotal"), 8707),
        "totals.subtotal",
        "subtotal_mismatch",
    ),
    (
        "VAT on the lines less their shares",
        _set(("totals", "vat", 0), {"rate": 12, "net": 7239, "vat": 868, "gross": 8107}),
        "totals.vat[0].gross",
        "vat_base_mismatch",
    ),
    ("the rounding is part of the total", _set(("totals", "rounding"), 0), "totals.total", "total_mismatch"),
    ("rounding is whole minor units", _set(("totals", "rounding"), -7.5), "totals.rounding", "int_type"),
]


@pytest.mark.parametrize("rule, mutate, field, code", GROCERY_RULES, ids=[rule[0] for rule in GROCERY_RULES])
def test_each_rule_of_what_tills_print_refuses_the_receipt_and_writes_nothing(
    functions, merchant, write_engine, rule, mutate, field, code
):
    body = grocery_body()
    mutate(body)
    refused_writing_nothing(functions, merchant, write_engine, body, field, code)


def test_a_refund_may_name_its_original_or_none(functions, merchant, write_engine):
    sale = post(functions, merchant["api_key"], receipt_body()).json
    linked = post(functions, merchant["api_key"], receipt_body(refund_of=sale["id"]))
    unlinked = post(functions, merchant["api_key"], receipt_body(kind="refund"))
    assert (linked.status_code, unlinked.status_code) == (201, 201), unlinked.json
    with write_engine.connect() as connection:
        kinds = dict(
            connection.execute(
                text(
                    "SELECT receipt_id, kind FROM receipt_card_payments WHERE receipt_id IN (:linked, :unlinked, :sale)"
                ),
                {"linked": linked.json["id"], "unlinked": unlinked.json["id"], "sale": sale["id"]},
            ).all()
        )
    assert {str(key): value for key, value in kinds.items()} == {
        sale["id"]: "purchase",
        linked.json["id"]: "refund",
        unlinked.json["id"]: "refund",
    }
    refused = post(functions, merchant["api_key"], receipt_body(kind="sale", refund_of=sale["id"]))
    assert refused.status_code == 422 and refused.json["error"]["details"][0]["code"] == "kind_mismatch"
    unknown = post(functions, merchant["api_key"], receipt_body(kind="refund", refund_of=str(uuid.uuid4())))
    assert unknown.status_code == 422 and unknown.json["error"]["details"][0]["code"] == "refund_of_unknown"
    assert post(functions, merchant["api_key"], receipt_body(kind="return")).status_code == 422
