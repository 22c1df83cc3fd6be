"""The rendered receipt (no I/O): everything shown, everything escaped, no script."""

from shared.read.render import receipt_html

RECEIPT = {
    "id": "r1",
    "merchant": {"id": "m1", "name": "Café <Central>"},
    "merchant_receipt_id": "POS-1",
    "status": "matched",
    "issued_at": "2026-11-26T13:45:10+01:00",
    "currency": "EUR",
    "lines": [
        {"description": "Espresso", "sku": "ESP-1", "quantity": 2, "unit_price": 250, "amount": 500},
        {"description": "<script>alert(1)</script>", "sku": None, "quantity": 1, "unit_price": 320, "amount": 320},
    ],
    "totals": {"subtotal": 820, "tax": 131, "tip": 100, "total": 1051},
    "payments": [
        {
            "masked_pan": "412345******1234",
            "auth_code": "A1B2C3",
            "amount": 1051,
            "currency": "EUR",
            "transaction_date": "2026-11-26",
            "transaction_time": "13:45:02",
            "terminal_id": "T0001",
            "rrn": "633012345678",
            "scheme": "VISA",
        }
    ],
    "submitted_at": "2026-11-26T12:45:11+00:00",
}


def test_the_page_shows_merchant_date_lines_tax_tip_totals_card_and_state():
    page = receipt_html(RECEIPT)
    for text in [
        "Café &lt;Central&gt;",
        "26 Nov 2026, 13:45",
        "Espresso",
        "2 × 2.50 EUR",
        "5.00 EUR",
        "Tax",
        "1.31 EUR",
        "Tip",
        "1.00 EUR",
        "10.51 EUR",
        "412345******1234",
        "matched",
        "POS-1",
    ]:
        assert text in page, text


def test_nothing_in_the_receipt_can_run_as_script():
    page = receipt_html(RECEIPT)
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_zero_tax_and_tip_are_left_out():
    page = receipt_html(RECEIPT | {"totals": {"subtotal": 820, "tax": 0, "tip": 0, "total": 820}})
    assert "Tax" not in page and "Tip" not in page


def test_the_page_says_how_the_card_paid_wallet_cashback_and_dcc():
    card = RECEIPT["payments"][0] | {
        "masked_pan": "************4821",
        "wallet": "apple_pay",
        "amount": 3051,
        "cashback": 2000,
        "dcc": {"currency": "SEK", "amount": 34928, "exchange_rate": "11.4478", "markup_percent": "3.5"},
    }
    page = receipt_html(RECEIPT | {"payments": [card]})
    for text in [
        "Apple Pay ··4821",
        "Cashback 20.00 EUR",
        "Charged 349.28 SEK at 11.4478 SEK per EUR, 3.5 % over the reference rate",
        "10.51 EUR",
    ]:
        assert text in page, text
    assert "VISA" not in page
