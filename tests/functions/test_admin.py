"""POST /v1/admin/merchants and /v1/admin/banks (SPEC §4)."""

import pytest
from sqlalchemy import text

from shared.auth import hash_api_key
from tests.support import LOCAL_CALLBACK, ADMIN_API_KEY, bearer, remember


@pytest.mark.parametrize("kind", ["merchant", "bank"])
def test_onboarding_returns_the_secrets_once_and_stores_only_a_hash(functions, write_engine, kind):
    response = functions(f"create_{kind}").post(
        "/", json={"name": "Cafe Central", "callback_url": LOCAL_CALLBACK}, headers=bearer(ADMIN_API_KEY)
    )
    assert response.status_code == 201
    party = response.json
    remember(party["api_key"], party["webhook_secret"])
    assert set(party) == {"id", "name", "callback_url", "api_key", "webhook_secret"}
    with write_engine.connect() as connection:
        row = connection.execute(
            text("SELECT key_hash, party_kind FROM api_keys WHERE party_id = :id"), {"id": party["id"]}
        ).one()
        event = connection.execute(text("SELECT type FROM outbox WHERE subject = :id"), {"id": party["id"]}).one()
    assert row.key_hash == hash_api_key(party["api_key"]) and row.party_kind == kind
    assert event.type == f"receipts.{kind}.registered.v1"


@pytest.mark.parametrize("url", ["ftp://example.com/cb", "example.com/cb", "javascript:alert(1)", ""])
def test_a_callback_url_must_be_http(functions, url):
    response = functions("create_merchant").post(
        "/", json={"name": "Cafe", "callback_url": url}, headers=bearer(ADMIN_API_KEY)
    )
    assert response.status_code == 422
    assert response.json["error"]["details"][0]["field"] == "callback_url"


def test_a_party_key_cannot_onboard(functions, merchant):
    response = functions("create_bank").post(
        "/", json={"name": "Bank", "callback_url": LOCAL_CALLBACK}, headers=bearer(merchant["api_key"])
    )
    assert response.status_code == 403


def test_an_unknown_key_cannot_onboard(functions):
    response = functions("create_bank").post(
        "/", json={"name": "Bank", "callback_url": LOCAL_CALLBACK}, headers=bearer("guess")
    )
    assert response.status_code == 401


def test_a_new_key_works_at_once(functions, merchant):
    from tests.support import receipt_body

    response = functions("submit_receipt").post("/", json=receipt_body(), headers=bearer(merchant["api_key"]))
    assert response.status_code == 201
