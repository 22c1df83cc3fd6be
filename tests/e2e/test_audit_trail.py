"""The audit trail (SPEC §15): every privileged action recorded once, through the gateway;
the table refuses to change what it holds."""

from __future__ import annotations

import json
import uuid

import pytest
import requests
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.support import ADMIN_API_KEY, LOCAL_CALLBACK, bearer, payment_body, remember


def entries(url: str, **query) -> dict:
    response = requests.get(f"{url}/v1/admin/audit", params=query, headers=bearer(ADMIN_API_KEY), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def operator(url: str, method: str, path: str, request_id: str, body: dict | None = None) -> requests.Response:
    headers = bearer(ADMIN_API_KEY) | {"X-Request-Id": request_id}
    return requests.request(method, f"{url}{path}", json=body, headers=headers, timeout=10)


def test_the_operators_actions_are_recorded_once_newest_first(platform):
    run = uuid.uuid4().hex[:8]
    onboarded = operator(
        platform.url, "POST", "/v1/admin/banks", f"{run}-1", {"name": "Audited", "callback_url": LOCAL_CALLBACK}
    ).json()
    remember(onboarded["api_key"], onboarded["webhook_secret"])
    bank = f"/v1/admin/banks/{onboarded['id']}"
    operator(platform.url, "PATCH", bank, f"{run}-2", {"callback_url": LOCAL_CALLBACK + "/moved"})
    operator(platform.url, "POST", f"{bank}/webhook-secret", f"{run}-3")
    issued = operator(platform.url, "POST", f"{bank}/api-keys", f"{run}-4", {}).json()
    remember(issued["api_key"])
    assert operator(platform.url, "DELETE", f"{bank}/api-keys/{issued['key_id']}", f"{run}-5").status_code == 200

    about_bank = entries(platform.url, object=onboarded["id"])["items"]
    assert [(entry["action"], entry["request_id"]) for entry in about_bank] == [
        ("webhook_secret.rotated", f"{run}-3"),
        ("bank.changed", f"{run}-2"),
        ("bank.onboarded", f"{run}-1"),
    ]
    assert all(
        entry["actor"] == "operator" and entry["object"] == {"kind": "bank", "id": onboarded["id"]}
        for entry in about_bank
    )
    about_key = entries(platform.url, object=issued["key_id"])["items"]
    assert [(entry["action"], entry["object"]["kind"]) for entry in about_key] == [
        ("api_key.deleted", "api_key"),
        ("api_key.issued", "api_key"),
    ]
    # Newest first over everything, a page at a time.
    first = entries(platform.url, limit=2)
    assert [entry["request_id"] for entry in first["items"]] == [f"{run}-5", f"{run}-4"]
    second = entries(platform.url, limit=2, cursor=first["next_cursor"])
    assert [entry["request_id"] for entry in second["items"]] == [f"{run}-3", f"{run}-2"]


def test_an_erasure_is_recorded_with_the_banks_key_and_names_no_account(platform, bank, http):
    account_ref = f"acct-audit-{uuid.uuid4().hex[:8]}"
    response = http.post(
        f"{platform.url}/v1/payments", json=payment_body(account_ref=account_ref), headers=bearer(bank["api_key"])
    )
    assert response.status_code == 201, response.text
    erased = http.delete(
        f"{platform.url}/v1/accounts/{account_ref}", headers=bearer(bank["api_key"]) | {"X-Request-Id": "erase-1"}
    ).json()

    [entry] = entries(platform.url, object=erased["erasure_id"])["items"]
    keys = http.get(f"{platform.url}/v1/admin/banks/{bank['id']}/api-keys", headers=bearer(ADMIN_API_KEY)).json()
    assert entry["actor"] == {"party_id": bank["id"], "key_id": keys["items"][0]["key_id"]}
    assert entry["action"] == "account.erased" and entry["request_id"] == "erase-1"
    assert entry["object"] == {"kind": "erasure", "id": erased["erasure_id"]}
    assert account_ref not in json.dumps(entry)


def test_the_audit_trail_takes_the_operator_key_only(platform, merchant):
    response = requests.get(f"{platform.url}/v1/admin/audit", headers=bearer(merchant["api_key"]), timeout=10)
    assert response.status_code == 403
    for bad in ({"limit": 0}, {"object": "a\x00b"}):  # PostgreSQL stores no NUL
        response = requests.get(f"{platform.url}/v1/admin/audit", params=bad, headers=bearer(ADMIN_API_KEY), timeout=10)
        assert response.status_code == 422, bad


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_entries SET action = 'nothing'", "DELETE FROM audit_entries", "TRUNCATE audit_entries"]
)
def test_the_table_refuses_to_change_or_lose_an_entry_even_to_the_platforms_role(write_engine, statement):
    with write_engine.connect() as connection:
        before = connection.execute(text("SELECT count(*) FROM audit_entries")).scalar_one()
    assert before > 0
    with pytest.raises(DBAPIError, match="append-only"), write_engine.begin() as connection:
        connection.execute(text(statement))
    with write_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_entries")).scalar_one() == before
