"""The read API through the gateway, fed only by events (SPEC §4, §7)."""

import json
import uuid

import pytest

from shared.domain import events
from shared.platform import bus
from tests.e2e.conftest import wait_until
from tests.support import ADMIN_API_KEY, LOCAL_CALLBACK, SENSITIVE, bearer, payment_body, receipt_body, remember


def register(http, platform, kind):
    response = http.post(
        f"{platform.url}/v1/admin/{kind}s",
        headers=bearer(ADMIN_API_KEY),
        json={"name": f"{kind} read", "callback_url": LOCAL_CALLBACK},
    )
    party = response.json()
    remember(party["api_key"], party["webhook_secret"])
    return party


def submit_receipt(http, platform, merchant, **overrides):
    response = http.post(
        f"{platform.url}/v1/receipts", json=receipt_body(**overrides), headers=bearer(merchant["api_key"])
    )
    assert response.status_code == 201, response.text
    return response.json()


def submit_payment(http, platform, bank, **overrides):
    response = http.post(f"{platform.url}/v1/payments", json=payment_body(**overrides), headers=bearer(bank["api_key"]))
    assert response.status_code == 201, response.text
    return response.json()


def visible(http, url, key):
    def found():
        response = http.get(url, headers=bearer(key))
        return response.json() if response.status_code == 200 else None

    return wait_until(found, timeout=20, message=f"{url} to be visible")


def listed(http, url, key, count):
    def complete():
        items = http.get(url, headers=bearer(key)).json().get("items", [])  # 404 until the first arrives
        return items if len(items) >= count else None

    return wait_until(complete, timeout=30, message=f"{count} items at {url}")


def publish(event: dict) -> None:
    connection = bus.connect()
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        channel.basic_publish(bus.EXCHANGE, event["type"], json.dumps(event).encode(), bus.properties(event))
    finally:
        connection.close()


@pytest.fixture
def merchant(platform, http):
    return register(http, platform, "merchant")


@pytest.fixture
def bank(platform, http):
    return register(http, platform, "bank")


def test_a_submitted_receipt_becomes_visible_in_the_read_api(platform, http, merchant):
    accepted = submit_receipt(http, platform, merchant)
    url = f"{platform.url}/v1/receipts/{accepted['id']}"
    visible(http, url, merchant["api_key"])
    # The merchant's own event may be applied after the receipt's: the name follows.
    receipt = wait_until(
        lambda: (lambda r: r if r["merchant"]["name"] else None)(
            http.get(url, headers=bearer(merchant["api_key"])).json()
        ),
        message="the merchant's name",
    )
    assert receipt["id"] == accepted["id"] and receipt["status"] == "unmatched"
    assert receipt["merchant"] == {"id": merchant["id"], "name": merchant["name"]}
    assert receipt["totals"]["total"] == 820 and receipt["lines"][0]["description"] == "Espresso"


def test_a_receipt_renders_as_an_embeddable_page(platform, http, merchant):
    accepted = submit_receipt(http, platform, merchant)
    url = f"{platform.url}/v1/receipts/{accepted['id']}"
    visible(http, url, merchant["api_key"])
    response = http.get(url, headers={**bearer(merchant["api_key"]), "Accept": "text/html"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    page = response.text
    assert "Espresso" in page and "8.20 EUR" in page and "******" in page and "unmatched" in page
    assert not any(secret in page for secret in SENSITIVE if secret.isdigit())
    assert http.get(url, headers={**bearer(merchant["api_key"]), "Accept": "application/json"}).json()["id"]


def test_another_merchant_or_an_unmatched_bank_gets_404(platform, http, merchant, bank):
    other = register(http, platform, "merchant")
    accepted = submit_receipt(http, platform, merchant)
    url = f"{platform.url}/v1/receipts/{accepted['id']}"
    visible(http, url, merchant["api_key"])
    for key in (other["api_key"], bank["api_key"]):
        response = http.get(url, headers=bearer(key))
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert (
        http.get(f"{platform.url}/v1/receipts/{uuid.uuid4()}", headers=bearer(merchant["api_key"])).status_code == 404
    )
    assert http.get(f"{platform.url}/v1/receipts/not-a-uuid", headers=bearer(merchant["api_key"])).status_code == 404
    assert http.get(f"{platform.url}/v1/receipts", headers=bearer(other["api_key"])).json()["items"] == []


def test_a_bank_sees_a_receipt_matched_to_its_payment_inline_in_its_statement(platform, http, merchant, bank):
    accepted = submit_receipt(http, platform, merchant)
    payment = submit_payment(http, platform, bank, account_ref="acct-inline")
    receipt = visible(http, f"{platform.url}/v1/receipts/{accepted['id']}", merchant["api_key"])
    statement_url = f"{platform.url}/v1/accounts/acct-inline/payments"
    [item] = listed(http, statement_url, bank["api_key"], 1)
    # What matching will publish: both aggregates' new state, version 2.
    matched_receipt = {k: v for k, v in receipt.items() if k != "merchant"} | {
        "merchant_id": merchant["id"],
        "status": "matched",
        "bank_ids": [bank["id"]],
        "version": 2,
    }
    matched_payment = {k: v for k, v in item.items() if k != "receipt"} | {
        "bank_id": bank["id"],
        "status": "matched",
        "receipt_id": accepted["id"],
        "version": 2,
        "submitted_at": receipt["submitted_at"],
    }
    publish(bus.cloud_event(events.Event(events.RECEIPT_MATCHED, uuid.UUID(accepted["id"]), matched_receipt)))
    publish(bus.cloud_event(events.Event(events.PAYMENT_MATCHED, uuid.UUID(payment["id"]), matched_payment)))
    seen = visible(http, f"{platform.url}/v1/receipts/{accepted['id']}", bank["api_key"])
    assert seen["status"] == "matched"
    [item] = wait_until(
        lambda: [i for i in http.get(statement_url, headers=bearer(bank["api_key"])).json()["items"] if i["receipt"]],
        message="the receipt inline",
    )
    assert item["receipt"]["id"] == accepted["id"] and item["receipt"]["lines"][1]["description"] == "Croissant"


def test_a_statement_shows_only_the_banks_own_payments_on_that_account(platform, http, bank):
    other = register(http, platform, "bank")
    mine = submit_payment(http, platform, bank, account_ref="acct-shared")
    submit_payment(http, platform, other, account_ref="acct-shared")
    submit_payment(http, platform, bank, account_ref="acct-elsewhere")
    [item] = listed(http, f"{platform.url}/v1/accounts/acct-shared/payments", bank["api_key"], 1)
    assert item["id"] == mine["id"] and item["masked_pan"] == mine["masked_pan"]
    assert "pan" not in item and item["receipt"] is None


def test_each_read_path_takes_only_its_partys_key(platform, http, merchant, bank):
    assert http.get(f"{platform.url}/v1/receipts", headers=bearer(bank["api_key"])).status_code == 403
    assert http.get(f"{platform.url}/v1/accounts/a/payments", headers=bearer(merchant["api_key"])).status_code == 403
    assert http.get(f"{platform.url}/v1/receipts").status_code == 401
    assert http.get(f"{platform.url}/v1/receipts/{uuid.uuid4()}", headers=bearer(ADMIN_API_KEY)).status_code == 403


def test_pages_lose_and_repeat_nothing_while_new_receipts_arrive(platform, http, merchant):
    first = [submit_receipt(http, platform, merchant)["id"] for _ in range(25)]
    url, key = f"{platform.url}/v1/receipts", merchant["api_key"]
    listed(http, f"{url}?limit=100", key, 25)
    seen, cursor = [], None
    while True:
        query = f"?limit=10&cursor={cursor}" if cursor else "?limit=10"
        page = http.get(url + query, headers=bearer(key)).json()
        seen += [item["id"] for item in page["items"]]
        submit_receipt(http, platform, merchant)  # arrives while the client pages
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(first))


def test_the_status_filter_and_the_query_rules(platform, http, merchant):
    submit_receipt(http, platform, merchant)
    url, key = f"{platform.url}/v1/receipts", bearer(merchant["api_key"])
    listed(http, f"{url}?status=unmatched", merchant["api_key"], 1)
    assert http.get(f"{url}?status=matched", headers=key).json()["items"] == []
    for query, field in [
        ("?status=lost", "status"),
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?limit=ten", "limit"),
        ("?cursor=bm9wZQ", "cursor"),
        ("?colour=red", "colour"),
    ]:
        response = http.get(url + query, headers=key)
        assert response.status_code == 422, query
        assert response.json()["error"]["details"][0]["field"] == field


def test_a_statement_pages_newest_transaction_first(platform, http, bank):
    times = [f"{hour:02d}:00:00" for hour in range(8, 20)]
    for time_of_day in times:
        submit_payment(http, platform, bank, account_ref="acct-paged", transaction_time=time_of_day)
    url = f"{platform.url}/v1/accounts/acct-paged/payments"
    listed(http, f"{url}?limit=100", bank["api_key"], len(times))
    seen, cursor = [], None
    while True:
        page = http.get(
            url + (f"?limit=5&cursor={cursor}" if cursor else "?limit=5"), headers=bearer(bank["api_key"])
        ).json()
        seen += [item["transaction_time"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(times))
