"""Reconciliation through the running platform: drift repair, the scoped report and its
dashboard in headless Chromium (tests/.artifacts/reconciliation.png)."""

import shutil
import subprocess
from datetime import date, timedelta

from sqlalchemy import text

from shared.platform.db import read_engine, write_engine
from shared.write import reconciliation, services
from shared.write.unit_of_work import UnitOfWork
from tests.conftest import ARTIFACTS
from tests.e2e.test_read_api import register, submit_payment, submit_receipt, visible
from tests.e2e.test_rendered_receipt import CHROMIUM_FLAGS, png_size
from tests.support import ADMIN_API_KEY, bearer, mask, random_pan, receipt_body, wait_until

DAY = "2025-06-15"  # the report's day: no other test's items fall on it
DRIFT_DAY = (date.today() - timedelta(days=1)).isoformat()  # drift is checked over recent days


def receipt(http, platform, merchant, pan: str, amount: int, day: str = DAY) -> str:
    lines = [{"description": "Item", "quantity": 1, "unit_price": amount, "amount": amount}]
    card = receipt_body()["payments"][0] | {"masked_pan": mask(pan), "amount": amount, "transaction_date": day}
    return submit_receipt(
        http,
        platform,
        merchant,
        issued_at=f"{day}T12:00:30+02:00",
        lines=lines,
        totals={"subtotal": amount, "tax": 0, "tip": 0, "total": amount},
        payments=[card],
    )["id"]


def payment(http, platform, bank, pan: str, amount: int, day: str = DAY) -> str:
    return submit_payment(http, platform, bank, pan=pan, amount=amount, transaction_date=day)["id"]


def report(http, platform, key: str, accept: str = "application/json"):
    return http.get(
        f"{platform.url}/v1/reconciliation", params={"date": DAY, "days": 7}, headers={**bearer(key), "Accept": accept}
    )


def drifting(item_ids: set[str]) -> set[str]:
    with write_engine().connect() as write:
        found = reconciliation.Reconciliation(write, read_engine).drift()
    return {str(item) for items in found.values() for item in items} & item_ids


def test_reconcile_repairs_deleted_and_altered_read_model_rows(platform, http, monkeypatch):
    monkeypatch.setattr(reconciliation, "DRIFT_GRACE_SECONDS", 0.0)  # this test's events are seconds old
    merchant, bank = register(http, platform, "merchant"), register(http, platform, "bank")
    pan = random_pan()
    receipt_id = receipt(http, platform, merchant, pan, 700, DRIFT_DAY)
    payment_id = payment(http, platform, bank, random_pan(), 700, DRIFT_DAY)
    visible(http, f"{platform.url}/v1/receipts/{receipt_id}", merchant["api_key"])
    wait_until(lambda: not drifting({receipt_id, payment_id}), timeout=20, message="both items projected")

    with read_engine().begin() as read:
        read.execute(text("DELETE FROM receipt_views WHERE id = :id"), {"id": receipt_id})
        read.execute(text("UPDATE payment_views SET status = 'matched', amount = 1 WHERE id = :id"), {"id": payment_id})
    assert drifting({receipt_id, payment_id}) == {receipt_id, payment_id}

    run = services.reconcile(UnitOfWork())

    assert sum(run.drift_repaired.values()) >= 2
    wait_until(lambda: not drifting({receipt_id, payment_id}), timeout=20, message="the read model repaired")
    with read_engine().connect() as read:
        restored = read.execute(
            text("SELECT status, amount FROM payment_views WHERE id = :id"), {"id": payment_id}
        ).one()
    assert tuple(restored) == ("unmatched", 700)
    visible(http, f"{platform.url}/v1/receipts/{receipt_id}", merchant["api_key"])


def test_the_report_counts_per_rule_and_is_scoped_to_the_caller(platform, http, tmp_path):
    merchant, other_merchant = register(http, platform, "merchant"), register(http, platform, "merchant")
    bank = register(http, platform, "bank")
    exact, tipped, waiting, duplicated = random_pan(), random_pan(), random_pan(), random_pan()
    receipt(http, platform, merchant, exact, 1000)
    payment(http, platform, bank, exact, 1000)
    receipt(http, platform, merchant, tipped, 2000)
    payment(http, platform, bank, tipped, 2300)  # a 15 % tip: only reconciliation matches it
    receipt(http, platform, merchant, waiting, 500)
    payment(http, platform, bank, random_pan(), 400)
    receipt(http, platform, merchant, duplicated, 900)
    receipt(http, platform, merchant, duplicated, 900)
    payment(http, platform, bank, duplicated, 900)

    def settled():
        services.reconcile(UnitOfWork())
        body = report(http, platform, ADMIN_API_KEY).json()
        counts = (
            body["matched"]["exact"]["count"],
            body["matched"]["tip"]["count"],
            body["unmatched"]["receipts"]["count"],
            body["unmatched"]["payments"]["count"],
            body["ambiguous"]["receipts"]["count"],
            body["ambiguous"]["payments"]["count"],
        )
        return body if counts == (1, 1, 1, 1, 2, 1) else None

    operator = wait_until(settled, timeout=30, message="the day reconciled and projected")
    assert operator["matched"]["exact"]["amounts"] == {"EUR": 1000}
    assert operator["matched"]["tip"]["amounts"] == {"EUR": 2300}
    assert operator["unmatched"]["receipts"] == {"count": 1, "amounts": {"EUR": 500}}
    assert operator["unmatched"]["payments"] == {"count": 1, "amounts": {"EUR": 400}}
    assert operator["ambiguous"]["payments"]["count"] == 1
    assert isinstance(operator["drift_repaired"], int)
    rates = {day["date"]: day for day in operator["match_rate"]["days"]}
    assert rates[DAY] == {"date": DAY, "matched": 2, "items": 4, "rate": 0.5}

    mine = report(http, platform, merchant["api_key"]).json()
    assert mine["scope"] == {"kind": "merchant", "id": merchant["id"]}
    assert (mine["matched"]["exact"]["count"], mine["matched"]["tip"]["count"]) == (1, 1)
    assert mine["unmatched"]["receipts"]["count"] == 1 and mine["unmatched"]["payments"]["count"] == 0
    assert mine["drift_repaired"] is None and mine["match_rate"]["of"] == "receipts"

    banks = report(http, platform, bank["api_key"]).json()
    assert (banks["matched"]["exact"]["count"], banks["unmatched"]["payments"]["count"]) == (1, 1)
    assert banks["unmatched"]["receipts"]["count"] == 0 and banks["ambiguous"]["payments"]["count"] == 1

    others = report(http, platform, other_merchant["api_key"]).json()
    assert all(tally["count"] == 0 for tally in others["matched"].values())
    assert others["unmatched"]["receipts"]["count"] == 0

    assert report(http, platform, "not-a-key").status_code == 401
    bad = http.get(f"{platform.url}/v1/reconciliation", params={"date": "26/11/2026"}, headers=bearer(ADMIN_API_KEY))
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "date"

    page = report(http, platform, ADMIN_API_KEY, accept="text/html")
    assert page.headers["Content-Type"].startswith("text/html") and "Daily match rate" in page.text
    # The operator's dashboard ends with the latest privileged actions (onboarding, above).
    assert "Latest privileged actions" in page.text and "merchant.onboarded" in page.text
    assert "Latest privileged actions" not in report(http, platform, other_merchant["api_key"], accept="text/html").text
    chromium = shutil.which("chromium")
    assert chromium, "make test installs Debian's chromium; run it through make test"
    html = tmp_path / "reconciliation.html"
    html.write_text(page.text)
    screenshot = ARTIFACTS / "reconciliation.png"
    screenshot.unlink(missing_ok=True)
    flags = [flag for flag in CHROMIUM_FLAGS if not flag.startswith("--window-size")] + ["--window-size=900,1100"]
    subprocess.run(
        [chromium, *flags, f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={screenshot}", f"file://{html}"],
        check=True,
        capture_output=True,
        timeout=90,
    )
    assert png_size(screenshot) == (900, 1100)
    assert screenshot.stat().st_size > 20_000


SETTLE_DAY = "2025-06-16"  # no other test's items fall on it


def test_the_operator_settles_an_ambiguity_set_and_unlinks_the_match(platform, http, tmp_path):
    merchant, bank = register(http, platform, "merchant"), register(http, platform, "bank")
    admin = bearer(ADMIN_API_KEY)
    pan = random_pan()
    first, second = (
        receipt(http, platform, merchant, pan, 1500, SETTLE_DAY),
        receipt(http, platform, merchant, pan, 1500, SETTLE_DAY),
    )
    payment_id = payment(http, platform, bank, pan, 1500, SETTLE_DAY)

    def open_set():
        sets = http.get(f"{platform.url}/v1/admin/ambiguities", params={"limit": 100}, headers=admin).json()["items"]
        return next((one for one in sets if payment_id in [item["id"] for item in one["payments"]]), None)

    found = wait_until(open_set, timeout=30, message="the ambiguity set listed")
    assert sorted(item["id"] for item in found["receipts"]) == sorted([first, second])

    page = http.get(
        f"{platform.url}/v1/reconciliation", params={"date": SETTLE_DAY}, headers={**admin, "Accept": "text/html"}
    ).text
    assert "<h2>Ambiguous</h2>" in page and found["id"] in page and payment_id in page and first in page
    html = tmp_path / "ambiguous.html"
    html.write_text(page)
    screenshot = ARTIFACTS / "reconciliation-ambiguous.png"
    screenshot.unlink(missing_ok=True)
    flags = [flag for flag in CHROMIUM_FLAGS if not flag.startswith("--window-size")] + ["--window-size=900,2200"]
    subprocess.run(
        [
            shutil.which("chromium"),
            *flags,
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={screenshot}",
            f"file://{html}",
        ],
        check=True,
        capture_output=True,
        timeout=90,
    )
    assert png_size(screenshot) == (900, 2200) and screenshot.stat().st_size > 20_000

    settled = http.post(
        f"{platform.url}/v1/admin/matches", json={"receipt_id": first, "payment_id": payment_id}, headers=admin
    )
    assert settled.status_code == 201 and settled.json()["match_rule"] == "manual"
    wait_until(lambda: open_set() is None, timeout=30, message="the set settled")

    def day(manual: int, unlinked: int):
        body = http.get(f"{platform.url}/v1/reconciliation", params={"date": SETTLE_DAY}, headers=admin).json()
        return body if (body["matched"]["manual"]["count"], body["unlinked"]) == (manual, unlinked) else None

    wait_until(lambda: day(1, 0), timeout=30, message="the manual match reported")
    unlinked = http.delete(f"{platform.url}/v1/admin/matches/{payment_id}", headers=admin)
    assert unlinked.status_code == 200 and unlinked.json()["status"] == "unlinked"
    wait_until(lambda: day(0, 1), timeout=30, message="the unlink reported")
    assert http.delete(f"{platform.url}/v1/admin/matches/{payment_id}", headers=admin).status_code == 404
