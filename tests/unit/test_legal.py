"""Legal completeness of a receipt, judged by its merchant's country (SPEC §12)."""

import pytest

from shared.domain.legal import judge

ADDRESS = {"street": "Herrengasse 14", "postal_code": "10115", "city": "Berlin", "country": "DE"}
FISCAL = {"client_id": "K1", "tse_serial": "ab", "transaction_number": 7}


def receipt(total=1000, vat=True, fiscal=True, country="DE", **merchant):
    identity = {"legal_name": "Café Central GmbH", "address": {**ADDRESS, "country": country}} | merchant
    body = {
        "currency": "EUR",
        "merchant": {"id": "m-1", "name": "Cafe Central", **identity},
        "totals": {"subtotal": total, "tax": 160, "tip": 0, "total": total},
    }
    if vat:
        body["totals"]["vat"] = [{"rate": 19, "net": total - 160, "vat": 160, "gross": total}]
    if fiscal:
        body["fiscal"] = FISCAL
    return body


def test_a_german_receipt_up_to_250_euros_needs_name_address_rates_and_the_fiscal_block():
    assert judge(receipt()) == {"jurisdiction": "DE", "complete": True, "missing": []}
    assert judge(receipt(vat=False, fiscal=False, legal_name=None))["missing"] == [
        "merchant.legal_name",
        "totals.vat",
        "fiscal",
    ]


def test_above_250_euros_a_german_receipt_also_needs_the_vat_id_or_tax_number():
    assert judge(receipt(total=25_001))["missing"] == ["merchant.vat_id"]
    assert judge(receipt(total=25_001, tax_number="143/815/08152"))["complete"] is True
    assert judge(receipt(total=25_000))["complete"] is True  # 250 € is still a small amount


def test_another_member_state_asks_for_the_supplier_and_the_vat():
    assert judge(receipt(country="SE", vat_id="SE556677889901", fiscal=False)) == {
        "jurisdiction": "SE",
        "complete": True,
        "missing": [],
    }
    assert judge(receipt(country="FR", fiscal=False))["missing"] == ["merchant.vat_id"]


@pytest.mark.parametrize("country", ["US", "NO", None])
def test_elsewhere_no_judgement(country):
    body = receipt(country=country or "DE")
    if country is None:
        del body["merchant"]["address"]
    assert judge(body) == {"jurisdiction": None, "complete": None, "missing": []}
