"""The rendered receipt in a real browser (headless Chromium): the screenshot is kept as
a test artefact, tests/.artifacts/receipt.png."""

import base64
import io
import shutil
import struct
import subprocess

import segno

from tests.conftest import ARTIFACTS
from tests.e2e.test_read_api import register, submit_receipt, visible
from tests.support import ADMIN_API_KEY, LOCAL_CALLBACK, bearer, fiscal_block, receipt_body, remember, wait_until

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=480,760",
]


def screenshot(page: str, name: str, tmp_path, size: str = "480,760"):
    """page as headless Chromium shows it, kept as tests/.artifacts/<name>."""
    chromium = shutil.which("chromium")
    assert chromium, "make test installs Debian's chromium; run it through make test"
    html = tmp_path / "receipt.html"
    html.write_text(page)
    shot = ARTIFACTS / name
    shot.unlink(missing_ok=True)
    flags = [flag if not flag.startswith("--window-size") else f"--window-size={size}" for flag in CHROMIUM_FLAGS]
    subprocess.run(
        [chromium, *flags, f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", f"file://{html}"],
        check=True,
        capture_output=True,
        timeout=90,
    )
    return shot


def png_size(path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_the_receipt_page_renders_in_headless_chromium(platform, http, tmp_path):
    merchant = register(http, platform, "merchant")
    lines = [
        {"description": "Flat white", "sku": "FW-1", "quantity": 2, "unit_price": 390, "amount": 780},
        {"description": "Almond croissant", "quantity": 1, "unit_price": 420, "amount": 420},
    ]
    totals = {"subtotal": 1200, "tax": 96, "tip": 150, "total": 1446}
    card = receipt_body()["payments"][0] | {"amount": 1446}
    accepted = submit_receipt(http, platform, merchant, lines=lines, totals=totals, payments=[card])
    url = f"{platform.url}/v1/receipts/{accepted['id']}"
    visible(http, url, merchant["api_key"])
    page = http.get(url, headers={**bearer(merchant["api_key"]), "Accept": "text/html"}).text
    shot = screenshot(page, "receipt.png", tmp_path)
    assert png_size(shot) == (480, 760)
    assert shot.stat().st_size > 10_000  # a blank page compresses to almost nothing


def test_a_receipt_as_a_european_till_prints_it_renders_with_the_merchants_identity(platform, http, tmp_path):
    """The document that stands in for the paper slip (SPEC §12): legal name, address, VAT
    id and logo; the store; rates, a discount and the VAT table; a cash part beside the card."""
    logo = io.BytesIO()
    segno.make("Café Central", error="h").save(logo, kind="png", scale=4, dark="#7c2d12")
    identity = {
        "legal_name": "Café Central GmbH",
        "vat_id": "DE136695976",
        "logo": base64.b64encode(logo.getvalue()).decode(),
        "address": {"street": "Herrengasse 14", "postal_code": "10115", "city": "Berlin", "country": "DE"},
    }
    created = http.post(
        f"{platform.url}/v1/admin/merchants",
        headers=bearer(ADMIN_API_KEY),
        json={"name": "Cafe Central", "callback_url": LOCAL_CALLBACK, **identity},
    )
    assert created.status_code == 201, created.text
    merchant = created.json()
    remember(merchant["api_key"], merchant["webhook_secret"])
    card = receipt_body()["payments"][0] | {"masked_pan": "**** **** **** 1234", "amount": 1000}
    accepted = submit_receipt(
        http,
        platform,
        merchant,
        prices_include_vat=True,
        store={
            "id": "B-07",
            "name": "Café Central Mitte",
            "address": {"street": "Torstraße 1", "postal_code": "10119", "city": "Berlin", "country": "DE"},
        },
        lines=[
            {"description": "Flat white", "quantity": 2, "unit_price": 390, "amount": 780, "vat_rate": 19},
            {
                "description": "Almond croissant",
                "quantity": 1,
                "unit_price": 420,
                "amount": 370,
                "vat_rate": 7,
                "discounts": [{"description": "Happy hour", "amount": 50}],
            },
        ],
        totals={"subtotal": 1150, "tax": 149, "tip": 0, "total": 1150},
        payments=[card, {"type": "cash", "amount": 150}],
    )
    url = f"{platform.url}/v1/receipts/{accepted['id']}"
    # The receipt and the merchant's identity both reach the read model by events.
    wait_until(
        lambda: visible(http, url, merchant["api_key"])["merchant"].get("vat_id") == "DE136695976",
        message="the merchant's identity in the receipt's view",
    )
    # 11,50 € at a German merchant with its name, address and the VAT per rate: only the
    # till's security-module data is missing (§6 KassenSichV).
    assert http.get(url, headers=bearer(merchant["api_key"])).json()["legal"] == {
        "jurisdiction": "DE",
        "complete": False,
        "missing": ["fiscal"],
    }
    response = http.get(url, headers={**bearer(merchant["api_key"]), "Accept": "text/html"})
    assert "img-src data:" in response.headers["Content-Security-Policy"]
    page = response.text
    for printed in (
        "Café Central GmbH",
        "VAT id DE136695976",
        "Café Central Mitte",
        "Torstraße 1",
        "Happy hour",
        "19 %",
        "7 %",
        "Cash",
        "************1234",
        "data:image/png;base64,",
        "Not a complete receipt under DE rules: fiscal missing.",
    ):
        assert printed in page, printed
    assert screenshot(page, "receipt-vat.png", tmp_path).stat().st_size > 10_000


def test_the_fiscal_block_is_printed_as_the_dsfinvk_qr_code_a_reader_decodes(platform, http, tmp_path):
    """A German receipt with its TSE data (§6 KassenSichV): legally complete, and its QR code,
    read back from Chromium's screenshot by zbarimg, is the DSFinV-K text."""
    zbarimg = shutil.which("zbarimg")
    assert zbarimg, "make test installs Debian's zbar-tools; run it through make test"
    created = http.post(
        f"{platform.url}/v1/admin/merchants",
        headers=bearer(ADMIN_API_KEY),
        json={
            "name": "Cafe Central",
            "callback_url": LOCAL_CALLBACK,
            "legal_name": "Café Central GmbH",
            "address": {"street": "Herrengasse 14", "postal_code": "10115", "city": "Berlin", "country": "DE"},
        },
    )
    merchant = created.json()
    remember(merchant["api_key"], merchant["webhook_secret"])
    fiscal = fiscal_block("7.80", "3.70", "11.50:Unbar")
    accepted = submit_receipt(
        http,
        platform,
        merchant,
        prices_include_vat=True,
        fiscal=fiscal,
        lines=[
            {"description": "Flat white", "quantity": 2, "unit_price": 390, "amount": 780, "vat_rate": 19},
            {"description": "Almond croissant", "quantity": 1, "unit_price": 370, "amount": 370, "vat_rate": 7},
        ],
        totals={"subtotal": 1150, "tax": 149, "tip": 0, "total": 1150},
        payments=[receipt_body()["payments"][0] | {"amount": 1150}],
    )
    url = f"{platform.url}/v1/receipts/{accepted['id']}"
    assert wait_until(
        lambda: visible(http, url, merchant["api_key"])["merchant"].get("legal_name"),
        message="the merchant's identity in the receipt's view",
    )
    assert http.get(url, headers=bearer(merchant["api_key"])).json()["legal"] == {
        "jurisdiction": "DE",
        "complete": True,
        "missing": [],
    }
    page = http.get(url, headers={**bearer(merchant["api_key"]), "Accept": "text/html"}).text
    shot = screenshot(page, "receipt-fiscal.png", tmp_path, size="480,1400")
    decoded = subprocess.run([zbarimg, "--raw", "-q", str(shot)], capture_output=True, text=True, timeout=60)
    assert decoded.stdout.strip() == (
        "V0;KASSE-01;Kassenbeleg-V1;Beleg^7.80_3.70_0.00_0.00_0.00^11.50:Unbar;4711;9812;2026-11-26T12:45:02.000Z;"
        f"2026-11-26T12:45:10.000Z;ecdsa-plain-SHA384;utcTime;{fiscal['signature']};{fiscal['public_key']}"
    )


def test_a_receipt_paid_by_phone_with_cashback_and_dcc_renders_how_the_card_paid(platform, http, tmp_path):
    merchant = register(http, platform, "merchant")
    lines = [{"description": "Groceries", "quantity": 1, "unit_price": 1051, "amount": 1051}]
    totals = {"subtotal": 1051, "tax": 0, "tip": 0, "total": 1051}
    card = receipt_body()["payments"][0] | {
        "masked_pan": "489537******4821",
        "wallet": "apple_pay",
        "amount": 3051,
        "cashback": 2000,
        "dcc": {"currency": "SEK", "amount": 34928, "exchange_rate": "11.4478", "markup_percent": "3.5"},
    }
    accepted = submit_receipt(http, platform, merchant, lines=lines, totals=totals, payments=[card])
    url = f"{platform.url}/v1/receipts/{accepted['id']}"
    visible(http, url, merchant["api_key"])
    page = http.get(url, headers={**bearer(merchant["api_key"]), "Accept": "text/html"}).text
    for text in ["Apple Pay ··4821", "Cashback 20.00 EUR", "Charged 349.28 SEK at 11.4478 SEK per EUR, 3.5 %"]:
        assert text in page, text
    shot = screenshot(page, "receipt-card-networks.png", tmp_path)
    assert shot.stat().st_size > 10_000
