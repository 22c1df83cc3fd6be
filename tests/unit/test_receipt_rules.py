"""The receipt and payment rules of SPEC §4, checked on the models alone (no I/O)."""

import json
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from pydantic import ValidationError

from shared.domain.cards import mask_pan
from shared.domain.errors import ValidationFailed
from shared.domain.money import allocate
from shared.domain.payments import PaymentSubmission
from shared.domain.receipts import ReceiptLine, ReceiptSubmission
from tests.support import payment_body, receipt_body


def parse(body: dict) -> ReceiptSubmission:
    return ReceiptSubmission.model_validate_json(json.dumps(body))


def test_the_spec_example_receipt_is_valid():
    parse(receipt_body()).check()


def test_a_masked_pan_written_with_x_is_normalised_to_stars():
    body = receipt_body()
    body["payments"][0]["masked_pan"] = "412345XXXXXX1234"
    assert parse(body).payments[0].masked_pan == "412345******1234"


def test_auth_codes_are_compared_in_upper_case():
    body = receipt_body()
    body["payments"][0]["auth_code"] = "a1b2c3"
    assert parse(body).payments[0].auth_code == "A1B2C3"


def test_every_broken_arithmetic_rule_is_listed_at_once():
    body = receipt_body()
    body["lines"][0]["amount"] = 501
    body["totals"]["total"] = 900
    with pytest.raises(ValidationFailed) as failure:
        parse(body).check()
    assert [(v.field, v.code) for v in failure.value.details] == [
        ("lines[0].amount", "line_amount_mismatch"),
        ("totals.subtotal", "subtotal_mismatch"),
        ("totals.total", "total_mismatch"),
        ("payments", "payments_total_mismatch"),
    ]


def test_split_tender_adds_up_across_payment_lines():
    body = receipt_body()
    first = body["payments"][0]
    body["payments"] = [dict(first, amount=500), dict(first, amount=320, auth_code="Z9Y8X7")]
    parse(body).check()


@pytest.mark.parametrize("amount", [8.2, "820", True])
def test_money_must_be_an_integer_not_a_fraction_or_a_string(amount):
    body = receipt_body()
    body["totals"]["tax"] = amount
    with pytest.raises(ValidationError):
        parse(body)


def test_an_integral_number_is_the_integer_json_schema_says_it_is():
    body = receipt_body()
    same = dict(body, totals={key: float(value) for key, value in body["totals"].items()})
    assert parse(same).totals.total == 820 and isinstance(parse(same).totals.total, int)
    assert parse(same).fingerprint(b"k") == parse(body).fingerprint(b"k")


def test_a_full_pan_is_refused_where_a_masked_one_belongs():
    body = receipt_body()
    body["payments"][0]["masked_pan"] = "4123450000001234"
    with pytest.raises(ValidationError) as failure:
        parse(body)
    assert failure.value.errors()[0]["type"] == "full_pan_not_allowed"


def test_masking_keeps_first_six_and_last_four_digits():
    assert mask_pan("4123450000001234") == "412345******1234"
    assert mask_pan("5500000000000000004") == "550000*********0004"


def test_the_spec_example_payment_is_valid():
    PaymentSubmission.model_validate_json(json.dumps(payment_body(pan="4123450000001234")))


def test_a_fingerprint_ignores_formatting_but_not_content():
    body = receipt_body()
    compact = ReceiptSubmission.model_validate_json(json.dumps(body))
    spaced = ReceiptSubmission.model_validate_json(json.dumps(body, indent=4))
    changed = ReceiptSubmission.model_validate_json(json.dumps(dict(body, currency="USD")))
    assert compact.fingerprint(b"k") == spaced.fingerprint(b"k")
    assert compact.fingerprint(b"k") != changed.fingerprint(b"k")
    assert compact.fingerprint(b"k") != compact.fingerprint(b"other key")


# A body as the JSON API took it before weighed goods, deposits, receipt discounts, rounding
# and kind existed, and its fingerprint then (key "platform-secret"): a replay of it after
# they were added is still the same receipt.
OLD_BODY = {
    "merchant_receipt_id": "POS-000123",
    "issued_at": "2026-11-26T13:45:10+01:00",
    "currency": "EUR",
    "prices_include_vat": True,
    "lines": [
        {"description": "Espresso", "sku": "ESP-1", "quantity": 2, "unit_price": 250, "amount": 500, "vat_rate": 19},
        {
            "description": "Croissant",
            "quantity": 1,
            "unit_price": 350,
            "amount": 320,
            "vat_rate": 7,
            "discounts": [{"description": "Member", "amount": 30}],
        },
    ],
    "totals": {"subtotal": 820, "tax": 101, "tip": 0, "total": 820},
    "payments": [
        {
            "masked_pan": "************1234",
            "auth_code": "A1B2C3",
            "amount": 700,
            "currency": "EUR",
            "transaction_date": "2026-11-26",
            "transaction_time": "13:45:02",
            "terminal_id": "T0001",
            "rrn": "633012345678",
        },
        {"type": "cash", "amount": 120},
    ],
    "refund_of": "5b0d3f36-0a43-4f53-9d65-4a3c9e0c2f4f",
}


def test_a_body_sent_before_the_later_fields_keeps_its_fingerprint():
    assert (
        parse(OLD_BODY).fingerprint(b"platform-secret")
        == "a7b05b64ed3b072f4eba2075d13b78d6ab624023eb9834999efdf995bff08bda"
    )


@pytest.mark.parametrize("written", ["0.846", "0.8460", "8.46E-1"])
def test_a_quantity_has_the_places_it_has_not_the_zeros_it_is_written_with(written):
    # As a till's document gives it: a decimal read exactly (the JSON API reads a JSON number).
    line = ReceiptLine.model_validate(
        {"description": "Bananer", "quantity": Decimal(written), "unit": "KGM", "unit_price": 2490, "amount": 2107}
    )
    assert line.quantity == Decimal("0.846") and json.loads(line.model_dump_json())["quantity"] == 0.846


def test_shares_add_up_exactly_in_proportion():
    rng = random.Random(30)
    for _ in range(2000):
        weights = [rng.randint(0, 10_000) for _ in range(rng.randint(1, 8))]
        if not any(weights):
            continue
        amount = rng.randint(1, sum(weights))
        parts = allocate(amount, weights)
        assert sum(parts) == amount
        assert all(abs(part - Fraction(amount * weight, sum(weights))) < 1 for part, weight in zip(parts, weights))
