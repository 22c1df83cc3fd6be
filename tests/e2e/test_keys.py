"""Rolled API keys through the gateway (SPEC §15): a second key beside the first, the first
deleted and refused within a second by every function, the last live key kept, an expired
key refused as expired."""

from __future__ import annotations

import time

import requests
from sqlalchemy import text

from tests.support import ADMIN_API_KEY, bearer, payment_body, receipt_body, remember, wait_until


def admin(method: str, url: str, **kwargs) -> requests.Response:
    return requests.request(method, url, headers=bearer(ADMIN_API_KEY), timeout=10, **kwargs)


def test_a_key_is_rolled_without_downtime_through_the_gateway(platform, merchant):
    keys = f"{platform.url}/v1/admin/merchants/{merchant['id']}/api-keys"
    issued = admin("POST", keys, json={})
    assert issued.status_code == 201 and issued.json()["api_key"].startswith("rcpt_mk_")
    new_key = issued.json()["api_key"]
    remember(new_key)
    for key in (merchant["api_key"], new_key):  # both serve while the tills move over
        answer = requests.post(f"{platform.url}/v1/receipts", json=receipt_body(), headers=bearer(key), timeout=10)
        assert answer.status_code == 201, answer.text
    [first, second] = admin("GET", keys).json()["items"]
    assert admin("DELETE", f"{keys}/{first['key_id']}").status_code == 200
    deleted_at = time.monotonic()

    def refused_by(path: str) -> bool:
        answer = requests.get(f"{platform.url}{path}", headers=bearer(merchant["api_key"]), timeout=10)
        return answer.status_code == 401 and answer.json()["error"]["code"] == "invalid_key"

    # Every function that takes the key refuses it within a second (each trusts a key it checked for a second).
    for path in ("/v1/receipts", "/v1/reconciliation"):
        wait_until(lambda path=path: refused_by(path), timeout=2, message=f"{path} refusing the deleted key")
    assert time.monotonic() - deleted_at < 1.5
    answer = requests.post(f"{platform.url}/v1/receipts", json=receipt_body(), headers=bearer(new_key), timeout=10)
    assert answer.status_code == 201
    last = admin("DELETE", f"{keys}/{second['key_id']}")
    assert last.status_code == 409 and last.json()["error"]["code"] == "last_key"


def test_an_expired_key_is_refused_as_expired_through_the_gateway(platform, bank, write_engine):
    keys = f"{platform.url}/v1/admin/banks/{bank['id']}/api-keys"
    issued = admin("POST", keys, json={"expires_in_hours": 1}).json()
    remember(issued["api_key"])
    assert issued["api_key"].startswith("rcpt_bk_") and issued["expires_at"]
    with write_engine.begin() as connection:  # an hour passes
        connection.execute(
            text("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE key_id = :id"),
            {"id": issued["key_id"]},
        )

    def expired() -> bool:
        answer = requests.post(
            f"{platform.url}/v1/payments", json=payment_body(), headers=bearer(issued["api_key"]), timeout=10
        )
        return answer.status_code == 401 and answer.json()["error"]["code"] == "key_expired"

    wait_until(expired, timeout=2, message="the expired key refused")
