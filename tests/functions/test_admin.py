"""POST /v1/admin/merchants and /v1/admin/banks (SPEC §4)."""

import base64
import threading
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from shared.domain.errors import LastKey
from shared.domain.parties import OPERATOR, Party
from shared.write import services
from shared.write.auth import hash_api_key
from shared.write.unit_of_work import UnitOfWork
from tests.conftest import _register
from tests.support import ADMIN_API_KEY, LOCAL_CALLBACK, bearer, remember, wait_until


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


@pytest.mark.parametrize("kind", ["merchant", "bank"])
def test_a_rotation_returns_a_new_secret_once_and_records_the_party_update(functions, write_engine, kind):
    party = (
        functions(f"create_{kind}")
        .post("/", json={"name": "Rotating", "callback_url": LOCAL_CALLBACK}, headers=bearer(ADMIN_API_KEY))
        .json
    )
    remember(party["api_key"], party["webhook_secret"])
    response = functions("rotate_webhook_secret").post(
        f"/v1/admin/{kind}s/{party['id']}/webhook-secret", headers=bearer(ADMIN_API_KEY)
    )
    assert response.status_code == 200
    rotated = response.json
    remember(rotated["webhook_secret"])
    assert rotated["id"] == party["id"] and rotated["webhook_secret"].startswith("whsec_")
    assert rotated["webhook_secret"] != party["webhook_secret"]
    with write_engine.connect() as connection:
        event = connection.execute(
            text("SELECT type, data FROM outbox WHERE subject = :id ORDER BY position DESC LIMIT 1"),
            {"id": party["id"]},
        ).one()
    assert event.type == f"receipts.{kind}.updated.v1" and event.data["webhook_secret_version"] == 2
    assert rotated["webhook_secret"] not in str(event.data) and party["webhook_secret"] not in str(event.data)


@pytest.mark.parametrize(
    "path",
    [
        "/v1/admin/merchants/00000000-0000-4000-8000-000000000000/webhook-secret",
        "/v1/admin/merchants/not-a-uuid/webhook-secret",
        "/v1/admin/customers/00000000-0000-4000-8000-000000000000/webhook-secret",
    ],
)
def test_rotating_no_such_party_is_404(functions, path):
    response = functions("rotate_webhook_secret").post(path, headers=bearer(ADMIN_API_KEY))
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_only_the_operator_rotates_or_moves_an_endpoint(functions, merchant):
    path = f"/v1/admin/merchants/{merchant['id']}"
    assert (
        functions("rotate_webhook_secret")
        .post(f"{path}/webhook-secret", headers=bearer(merchant["api_key"]))
        .status_code
        == 403
    )
    assert (
        functions("update_party")
        .patch(path, json={"callback_url": LOCAL_CALLBACK}, headers=bearer("guess"))
        .status_code
        == 401
    )


def test_a_patch_moves_the_callback_url(functions, write_engine, bank):
    response = functions("update_party").patch(
        f"/v1/admin/banks/{bank['id']}",
        json={"callback_url": "https://bank.example/hooks"},
        headers=bearer(ADMIN_API_KEY),
    )
    assert response.status_code == 200
    assert response.json == {
        "id": bank["id"],
        "name": bank["name"],
        "callback_url": "https://bank.example/hooks",
        "client_cert_subject": None,
    }
    with write_engine.connect() as connection:
        url = connection.execute(text("SELECT callback_url FROM banks WHERE id = :id"), {"id": bank["id"]}).scalar_one()
    assert url == "https://bank.example/hooks"


@pytest.mark.parametrize(
    "body", [{"callback_url": "ftp://bank.example"}, {}, {"callback_url": "https://x.example", "name": "x"}]
)
def test_a_patch_with_a_bad_body_is_422_and_changes_nothing(functions, write_engine, bank, body):
    response = functions("update_party").patch(
        f"/v1/admin/banks/{bank['id']}", json=body, headers=bearer(ADMIN_API_KEY)
    )
    assert response.status_code == 422
    with write_engine.connect() as connection:
        url = connection.execute(text("SELECT callback_url FROM banks WHERE id = :id"), {"id": bank["id"]}).scalar_one()
    assert url == bank["callback_url"]


def test_a_patch_of_no_such_party_is_404(functions):
    response = functions("update_party").patch(
        "/v1/admin/banks/00000000-0000-4000-8000-000000000000",
        json={"callback_url": LOCAL_CALLBACK},
        headers=bearer(ADMIN_API_KEY),
    )
    assert response.status_code == 404


# The merchant's identity (SPEC §12).
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64).decode()
IDENTITY = {
    "legal_name": "Café Central GmbH",
    "vat_id": "DE 136 695 976",
    "tax_number": "143/815/08152",
    "address": {"street": "Herrengasse 14", "postal_code": "10115", "city": "Berlin", "country": "DE"},
    "logo": PNG,
    "kivra_service_id": "15594097552e6dfbe7ca6d4679acd8120c3344cc8c",
}


def merchant_count(write_engine) -> int:
    with write_engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM merchants")).scalar_one()


def test_a_merchant_is_onboarded_with_its_identity_checked_and_kept(functions, write_engine):
    response = functions("create_merchant").post(
        "/", json={"name": "Cafe Central", "callback_url": LOCAL_CALLBACK, **IDENTITY}, headers=bearer(ADMIN_API_KEY)
    )
    assert response.status_code == 201, response.json
    remember(response.json["api_key"], response.json["webhook_secret"])
    with write_engine.connect() as connection:
        identity = connection.execute(
            text("SELECT identity FROM merchants WHERE id = :id"), {"id": response.json["id"]}
        ).scalar_one()
        event = connection.execute(
            text("SELECT data FROM outbox WHERE subject = :id"), {"id": response.json["id"]}
        ).one()
    assert identity == {**IDENTITY, "vat_id": "DE136695976"}  # kept compact
    assert event.data["identity"] == identity


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("vat_id", "DE123456789", "invalid_vat_id_check_digits"),
        ("vat_id", "SE11223344449", "invalid_vat_id"),
        ("vat_id", "ZZ1234567", "invalid_vat_id"),
        (
            "logo",
            base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>').decode(),
            "svg_not_allowed",
        ),
        ("logo", base64.b64encode(b"GIF89a" + b"\x00" * 16).decode(), "invalid_logo"),
        ("logo", base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * (64 * 1024)).decode(), "logo_too_large"),
        (
            "address",
            {"street": "Herrengasse 14", "postal_code": "10115", "city": "Berlin", "country": "XX"},
            "unknown_country",
        ),
        ("kivra_service_id", "not-a-kivra-id", "string_pattern_mismatch"),
    ],
)
def test_a_bad_identity_is_422_naming_the_field_and_onboards_no_one(functions, write_engine, field, value, code):
    before = merchant_count(write_engine)
    response = functions("create_merchant").post(
        "/",
        json={"name": "Cafe", "callback_url": LOCAL_CALLBACK, **IDENTITY, field: value},
        headers=bearer(ADMIN_API_KEY),
    )
    assert response.status_code == 422, response.json
    assert any(
        detail["field"].startswith(field) and detail["code"] == code for detail in response.json["error"]["details"]
    ), response.json
    assert merchant_count(write_engine) == before


def test_a_patch_changes_the_merchants_identity_and_leaves_the_rest(functions, write_engine, merchant):
    response = functions("update_party").patch(
        f"/v1/admin/merchants/{merchant['id']}",
        json={"legal_name": "Cafe Central AG", "vat_id": "DE136695976"},
        headers=bearer(ADMIN_API_KEY),
    )
    assert response.status_code == 200, response.json
    with write_engine.connect() as connection:
        row = connection.execute(
            text("SELECT identity, callback_url FROM merchants WHERE id = :id"), {"id": merchant["id"]}
        ).one()
    assert row.identity == {"legal_name": "Cafe Central AG", "vat_id": "DE136695976"}
    assert row.callback_url == merchant["callback_url"]


def test_a_bank_has_no_identity_to_patch(functions, bank):
    response = functions("update_party").patch(
        f"/v1/admin/banks/{bank['id']}", json={"legal_name": "Bank AG"}, headers=bearer(ADMIN_API_KEY)
    )
    assert response.status_code == 422


# -- API keys: several per party, rolled without downtime -----------------------------------


def keys_path(party_id: str, kind: str = "merchant") -> str:
    return f"/v1/admin/{kind}s/{party_id}/api-keys"


def test_a_key_is_rolled_by_issuing_another_and_deleting_the_old(functions, merchant, write_engine):
    old_key, path = merchant["api_key"], keys_path(merchant["id"])
    assert old_key.startswith("rcpt_mk_")
    issued = functions("issue_api_key").post(path, json={}, headers=bearer(ADMIN_API_KEY))
    assert issued.status_code == 201, issued.json
    new_key = issued.json["api_key"]
    remember(new_key)
    assert new_key.startswith("rcpt_mk_") and issued.json["expires_at"] is None

    listed = functions("list_api_keys").get(path, headers=bearer(ADMIN_API_KEY))
    assert listed.status_code == 200
    keys = listed.json["items"]
    assert [key["shown"] for key in keys] == [f"rcpt_mk_…{old_key[-4:]}", f"rcpt_mk_…{new_key[-4:]}"]
    assert new_key not in str(keys) and old_key not in str(keys)

    # Both keys work while the merchant's tills move over; then the old one is deleted.
    for key in (old_key, new_key):
        assert functions("list_receipts").get("/", headers=bearer(key)).status_code == 200

    def used():  # written after the answer, to the minute
        items = functions("list_api_keys").get(path, headers=bearer(ADMIN_API_KEY)).json["items"]
        return items if all(key["last_used_at"] for key in items) else None

    used_at = datetime.fromisoformat(wait_until(used, message="each key's last use")[1]["last_used_at"])
    assert used_at.second == 0 and abs((datetime.now(UTC) - used_at).total_seconds()) < 120
    old_id = keys[0]["key_id"]
    deleted = functions("delete_api_key").delete(f"{path}/{old_id}", headers=bearer(ADMIN_API_KEY))
    assert deleted.status_code == 200 and deleted.json == {"key_id": old_id, "status": "deleted"}

    def refused():
        answer = functions("list_receipts").get("/", headers=bearer(old_key))
        return answer.status_code == 401 and answer.json["error"]["code"] == "invalid_key"

    wait_until(refused, timeout=2, message="the deleted key refused within a second")
    assert functions("list_receipts").get("/", headers=bearer(new_key)).status_code == 200

    # The last live key stays: deleting it would lock the merchant out.
    last = functions("delete_api_key").delete(f"{path}/{keys[1]['key_id']}", headers=bearer(ADMIN_API_KEY))
    assert last.status_code == 409 and last.json["error"]["code"] == "last_key"
    unknown = functions("delete_api_key").delete(f"{path}/{old_id}", headers=bearer(ADMIN_API_KEY))
    assert unknown.status_code == 404


def test_an_expired_key_is_refused_as_expired(functions, bank, write_engine):
    path = keys_path(bank["id"], "bank")
    issued = functions("issue_api_key").post(path, json={"expires_in_hours": 1}, headers=bearer(ADMIN_API_KEY))
    assert issued.status_code == 201 and issued.json["expires_at"] is not None
    key = issued.json["api_key"]
    remember(key)
    assert key.startswith("rcpt_bk_")
    with write_engine.begin() as connection:
        connection.execute(
            text("UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE key_id = :id"),
            {"id": issued.json["key_id"]},
        )

    def expired():
        answer = functions("lookup_receipt").post("/", json={}, headers=bearer(key))
        return answer.status_code == 401 and answer.json["error"]["code"] == "key_expired"

    wait_until(expired, timeout=2, message="the expired key refused")
    # An expired key is not a live one: the bank's first key cannot be deleted.
    [first, _] = functions("list_api_keys").get(path, headers=bearer(ADMIN_API_KEY)).json["items"]
    answer = functions("delete_api_key").delete(f"{path}/{first['key_id']}", headers=bearer(ADMIN_API_KEY))
    assert answer.status_code == 409


def test_a_key_issued_before_the_prefixes_keeps_working(functions, merchant, write_engine):
    legacy = "mk_" + "x" * 43
    remember(legacy)
    with write_engine.begin() as connection:
        connection.execute(
            text("INSERT INTO api_keys (key_hash, party_kind, party_id) VALUES (:hash, 'merchant', :id)"),
            {"hash": hash_api_key(legacy), "id": merchant["id"]},
        )
    assert functions("list_receipts").get("/", headers=bearer(legacy)).status_code == 200
    keys = functions("list_api_keys").get(keys_path(merchant["id"]), headers=bearer(ADMIN_API_KEY)).json["items"]
    assert [key["shown"] for key in keys][-1] is None


def test_keys_of_no_party_and_a_party_key_are_refused(functions, merchant):
    missing = keys_path("6f1c1f8e-0000-4000-8000-000000000000")
    assert functions("list_api_keys").get(missing, headers=bearer(ADMIN_API_KEY)).status_code == 404
    assert functions("issue_api_key").post(missing, json={}, headers=bearer(ADMIN_API_KEY)).status_code == 404
    own = keys_path(merchant["id"])
    assert functions("issue_api_key").post(own, json={}, headers=bearer(merchant["api_key"])).status_code == 403
    too_short = functions("issue_api_key").post(own, json={"expires_in_hours": 0}, headers=bearer(ADMIN_API_KEY))
    assert too_short.status_code == 422


def test_a_patch_binds_a_bank_to_its_certificate_subject_and_null_unbinds_it(functions, write_engine, bank):
    def bound() -> str | None:
        with write_engine.connect() as connection:
            return connection.execute(
                text("SELECT client_cert_subject FROM banks WHERE id = :id"), {"id": bank["id"]}
            ).scalar_one()

    path = f"/v1/admin/banks/{bank['id']}"
    subject = "CN=core,O=Example Bank,C=DE"
    response = functions("update_party").patch(
        path, json={"client_cert_subject": subject}, headers=bearer(ADMIN_API_KEY)
    )
    assert response.status_code == 200 and response.json["client_cert_subject"] == subject
    assert bound() == subject
    moved = functions("update_party").patch(path, json={"callback_url": LOCAL_CALLBACK}, headers=bearer(ADMIN_API_KEY))
    assert moved.status_code == 200 and moved.json["client_cert_subject"] == subject and bound() == subject
    nothing = functions("update_party").patch(path, json={"callback_url": None}, headers=bearer(ADMIN_API_KEY))
    assert nothing.status_code == 422
    assert (
        functions("update_party")
        .patch(path, json={"client_cert_subject": None}, headers=bearer(ADMIN_API_KEY))
        .status_code
        == 200
    )
    assert bound() is None
    merchant_patch = functions("update_party").patch(
        f"/v1/admin/merchants/{bank['id']}", json={"client_cert_subject": subject}, headers=bearer(ADMIN_API_KEY)
    )
    assert merchant_patch.status_code in (404, 422)


def test_two_deletions_at_once_never_take_a_partys_last_two_keys(functions, write_engine):
    for _ in range(10):
        merchant = _register(functions, "merchant")
        issued = functions("issue_api_key").post(keys_path(merchant["id"]), json={}, headers=bearer(ADMIN_API_KEY))
        remember(issued.json["api_key"])
        party = Party("merchant", uuid.UUID(merchant["id"]))
        with write_engine.connect() as connection:
            key_ids = (
                connection.execute(text("SELECT key_id FROM api_keys WHERE party_id = :id"), {"id": merchant["id"]})
                .scalars()
                .all()
            )
        outcomes, start = [], threading.Barrier(2)

        def delete(key_id) -> None:
            start.wait()
            try:
                services.delete_api_key(party, key_id, OPERATOR, UnitOfWork())
                outcomes.append("deleted")
            except LastKey:
                outcomes.append("last")

        threads = [threading.Thread(target=delete, args=(key_id,)) for key_id in key_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["deleted", "last"]
        with write_engine.connect() as connection:
            left = connection.execute(
                text("SELECT count(*) FROM api_keys WHERE party_id = :id"), {"id": merchant["id"]}
            ).scalar_one()
        assert left == 1
