"""Receipts no one here wrote (SPEC §12): the card-paid examples that Kivra and the Swedish
ARTS group publish (../shared/formats/), translated by hand into the JSON API as their slips
print them — last-4 card numbers, prices with VAT, VAT per rate, discounts — and matched
to a bank payment with the same card data."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from shared.write import outbox, services
from shared.write.unit_of_work import UnitOfWork
from tests.integration.test_matching import match_event
from tests.support import bearer, remember, unique

# formats/kivra/examples/sale-receipt-card-payment.json: two items at 25 % with their
# retail_price_modifiers, paid by a card printed as ************3602.
KIVRA_CARD_SALE = {
    "issued_at": "2018-11-10T11:07:00+01:00",  # a day after the example: tests/e2e submit it as it is
    "currency": "SEK",
    "prices_include_vat": True,
    "lines": [
        {
            "description": "Short Shorts, 3xSport",
            "sku": "000077-284305 45025-L",
            "quantity": 1,
            "unit_price": 27900,
            "discounts": [{"description": "Rea", "amount": 8370}],
            "amount": 19530,
            "vat_rate": 25,
        },
        {
            "description": "Short shorts, 2 to go",
            "sku": "000007-084205 01031-L",
            "quantity": 2,
            "unit_price": 20900,
            "discounts": [{"description": "Rea", "amount": 12530}],
            "amount": 29270,
            "vat_rate": 25,
        },
    ],
    # Kivra's totals: net 390.40, vat 97.60 at 25 %, gross 488.00.
    "totals": {
        "subtotal": 48800,
        "tax": 9760,
        "tip": 0,
        "total": 48800,
        "vat": [{"rate": 25, "net": 39040, "vat": 9760, "gross": 48800}],
    },
    "payments": [
        {
            "masked_pan": "************3602",
            "auth_code": "025965",
            "amount": 48800,
            "currency": "SEK",
            "transaction_date": "2018-11-10",
            "transaction_time": "11:22:00",
            "terminal_id": "73200801",
            "rrn": "000295749077",
            "scheme": "VISA",
        }
    ],
}
KIVRA_PAYMENT = {
    "pan": "4581990000003602",
    "auth_code": "025965",
    "amount": 48800,
    "currency": "SEK",
    "transaction_date": "2018-11-10",
    "transaction_time": "11:22:00",
    "merchant_name": "BB Ludvika Ou",
    "terminal_id": "73200801",
    "rrn": "000295749077",
}

# formats/arts/examples/swe-standard-dr-sale-min-with-image-attachment.xml, as its slip (the
# attachment) prints it: two items whose prices (13,72 and 21,28) already take the campaign
# "PICK & MIX 2F 35:-" (−16,00) off, split by the till in proportion; 12 % VAT 3,75 included;
# "Debit MasterCard ************1380", "Ref: 501009148370", "Termid: 1 / 50201912", no
# auth code printed (contactless).
ARTS_CARD_SALE = {
    "issued_at": "2018-01-08T08:57:22+00:00",
    "currency": "SEK",
    "prices_include_vat": True,
    "lines": [
        {
            "description": "BRÄ NYPRESSAD SMOOT",
            "sku": "582",
            "quantity": 1,
            "unit_price": 1999,
            "discounts": [{"description": "Kampanjrabatt PICK & MIX 2F 35:-", "amount": 627}],
            "amount": 1372,
            "vat_rate": 12,
        },
        {
            "description": "EGENTILLVERKAD TOAS",
            "sku": "4022",
            "quantity": 1,
            "unit_price": 3101,
            "discounts": [{"description": "Kampanjrabatt PICK & MIX 2F 35:-", "amount": 973}],
            "amount": 2128,
            "vat_rate": 12,
        },
    ],
    "totals": {"subtotal": 3500, "tax": 375, "tip": 0, "total": 3500},  # the breakdown left to the platform
    "payments": [
        {
            "masked_pan": "************1380",
            "amount": 3500,
            "currency": "SEK",
            "transaction_date": "2018-01-08",
            "transaction_time": "08:57:34",
            "terminal_id": "50201912",
            "rrn": "501009148370",
            "scheme": "Debit MasterCard",
        }
    ],
}
ARTS_PAYMENT = {
    "pan": "5413330000001380",
    "auth_code": "784547",
    "amount": 3500,
    "currency": "SEK",
    "transaction_date": "2018-01-08",
    "transaction_time": "08:57:34",
    "merchant_name": "Fiskens kiosk Gbg",
    "terminal_id": "50201912",
    "rrn": "501009148370",
}


@pytest.fixture(autouse=True)
def unpublished(monkeypatch):
    """These tests match by hand: the live platform must not match their items first."""
    monkeypatch.setattr(outbox, "publish_committed", lambda engine, events: None)
    monkeypatch.setattr(outbox, "relay", lambda engine, **options: 0)


def submitted(functions, merchant, bank, receipt: dict, payment: dict) -> tuple[str, str, dict]:
    remember(payment["pan"])
    answer = functions("submit_receipt").post(
        "/", json={"merchant_receipt_id": unique("KVITTO"), **receipt}, headers=bearer(merchant["api_key"])
    )
    assert answer.status_code == 201, answer.json
    paid = functions("submit_payment").post(
        "/",
        json={"bank_payment_id": unique("TXN"), "account_ref": unique("acct"), "kind": "purchase", **payment},
        headers=bearer(bank["api_key"]),
    )
    assert paid.status_code == 201, paid.json
    return answer.json["id"], paid.json["id"], answer.json


def stored(write_engine, receipt_id: str):
    with write_engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT r.status, r.document, l.match_rule, l.payment_id FROM receipts r"
                " JOIN receipt_card_payments l ON l.receipt_id = r.id WHERE r.id = :id"
            ),
            {"id": receipt_id},
        ).one()


def test_kivras_card_sale_with_a_last4_card_and_discounts_matches_its_payment(functions, merchant, bank, write_engine):
    receipt_id, payment_id, _ = submitted(functions, merchant, bank, KIVRA_CARD_SALE, KIVRA_PAYMENT)
    assert match_event("payment", payment_id).lines_matched == 1
    row = stored(write_engine, receipt_id)
    assert (row.status, row.match_rule, str(row.payment_id)) == ("matched", "exact", payment_id)
    assert row.document["totals"]["vat"] == [{"rate": 25, "net": 39040, "vat": 9760, "gross": 48800}]
    assert row.document["lines"][1]["discounts"] == [{"description": "Rea", "amount": 12530}]
    assert row.document["payments"][0]["masked_pan"] == "************3602"


def test_the_arts_card_sale_without_an_auth_code_matches_by_reconciliation(functions, merchant, bank, write_engine):
    receipt_id, payment_id, _ = submitted(functions, merchant, bank, ARTS_CARD_SALE, ARTS_PAYMENT)
    assert match_event("payment", payment_id).lines_matched == 0  # no auth code on the slip: not the exact rule
    services.reconcile(UnitOfWork())
    row = stored(write_engine, receipt_id)
    assert (row.status, row.match_rule, str(row.payment_id)) == ("matched", "no_auth_code", payment_id)
    # The platform computed the breakdown the slip prints: 12 % of 35,00 with VAT included is 3,75.
    assert row.document["totals"]["vat"] == [{"rate": 12, "net": 3125, "vat": 375, "gross": 3500}]
