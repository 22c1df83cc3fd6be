"""The rendered receipt in a real browser (headless Chromium): the screenshot is kept as
a test artefact, tests/.artifacts/receipt.png."""

import shutil
import struct
import subprocess

from tests.conftest import ARTIFACTS
from tests.e2e.test_read_api import register, submit_receipt, visible
from tests.support import bearer, receipt_body

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--window-size=480,760"]


def png_size(path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_the_receipt_page_renders_in_headless_chromium(platform, http, tmp_path):
    chromium = shutil.which("chromium")
    assert chromium, "make test installs Debian's chromium; run it through make test"
    merchant = register(http, platform, "merchant")
    lines = [{"description": "Flat white", "sku": "FW-1", "quantity": 2, "unit_price": 390, "amount": 780},
             {"description": "Almond croissant", "quantity": 1, "unit_price": 420, "amount": 420}]
    totals = {"subtotal": 1200, "tax": 96, "tip": 150, "total": 1446}
    card = receipt_body()["payments"][0] | {"amount": 1446}
    accepted = submit_receipt(http, platform, merchant, lines=lines, totals=totals, payments=[card])
    url = f"{platform.url}/v1/receipts/{accepted['id']}"
    visible(http, url, merchant["api_key"])
    page = http.get(url, headers={**bearer(merchant["api_key"]), "Accept": "text/html"}).text
    html = tmp_path / "receipt.html"
    html.write_text(page)
    screenshot = ARTIFACTS / "receipt.png"
    screenshot.unlink(missing_ok=True)
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                    f"--screenshot={screenshot}", f"file://{html}"],
                   check=True, capture_output=True, timeout=90)
    assert png_size(screenshot) == (480, 760)
    assert screenshot.stat().st_size > 10_000  # a blank page compresses to almost nothing
