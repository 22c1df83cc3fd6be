"""Erasure of a cardholder account (SPEC §11) against the real databases: afterwards a
pg_dump of each platform database names neither the account nor its customer_id, replay
still works, and other accounts are untouched."""

import os
import subprocess
import uuid

import pytest
from sqlalchemy import text

from shared.domain import events
from shared.platform.db import read_engine
from shared.read.replay import replay
from shared.write import auth, callbacks, outbox, services
from shared.write.unit_of_work import UnitOfWork
from tests.support import ADMIN_API_KEY, bearer, payment_body, random_pan, receipt_body, unique
from tests.support_events import project_outbox


@pytest.fixture(autouse=True)
def unpublished(monkeypatch):
    """These tests drive matching, delivery and projection themselves."""
    monkeypatch.setattr(outbox, "publish_committed", lambda engine, events: None)


def dump(database_url: str) -> str:
    database = database_url.rsplit("/", 1)[1]
    return subprocess.run(
        ["pg_dump", "-h", "127.0.0.1", "-U", "postgres", "--data-only", database],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout


def test_an_erased_account_is_in_no_database_and_replay_still_works(functions, merchant, bank, write_engine):
    account, other_account = unique("acct-erase"), unique("acct-keep")
    pan = random_pan()
    receipt = (
        functions("submit_receipt").post("/", json=receipt_body(pan=pan), headers=bearer(merchant["api_key"])).json
    )
    matched = (
        functions("submit_payment")
        .post("/", json=payment_body(pan=pan, account_ref=account), headers=bearer(bank["api_key"]))
        .json
    )
    open_payment = (
        functions("submit_payment")
        .post("/", json=payment_body(account_ref=account), headers=bearer(bank["api_key"]))
        .json
    )
    kept = (
        functions("submit_payment")
        .post("/", json=payment_body(account_ref=other_account), headers=bearer(bank["api_key"]))
        .json
    )
    services.match_submissions(
        [{"id": str(uuid.uuid4()), "type": events.PAYMENT_SUBMITTED, "subject": matched["id"]}], UnitOfWork()
    )
    sent = []
    services.deliver_callbacks(
        {"id": str(uuid.uuid4()), "type": events.PAYMENT_MATCHED, "subject": matched["id"]},
        UnitOfWork(),
        send=lambda url, body, headers: sent.append(body) or callbacks.Answer(200),
    )
    customer = auth.customer_id(merchant["id"], bank["id"], account)
    assert any(account.encode() in body for body in sent) and any(customer.encode() in body for body in sent)
    payments = [matched["id"], open_payment["id"], kept["id"]]
    project_outbox(write_engine, [*payments, receipt["id"]])
    databases = (os.environ["WRITE_DATABASE_URL"], os.environ["READ_DATABASE_URL"])
    assert all(account in dump(url) for url in databases)  # the test can fail: it is there now

    response = functions("erase_account").delete(f"/v1/accounts/{account}", headers=bearer(bank["api_key"]))
    assert response.status_code == 202 and response.json["payments"] == 2 and response.json["status"] == "erased"
    project_outbox(write_engine, payments)
    with write_engine.connect() as connection:
        erased = connection.execute(
            text("SELECT data FROM outbox WHERE type = :type AND subject = :id"),
            {"type": events.ACCOUNT_ERASED, "id": response.json["erasure_id"]},
        ).scalar_one()
    assert set(erased) == {"erasure_id", "bank_id", "payments"}  # nothing of the account

    for url in databases:
        everything = dump(url)
        assert account not in everything and customer not in everything, url
        assert other_account in everything  # another account is untouched
    statement = functions("list_account_payments").get(
        f"/v1/accounts/{account}/payments", headers=bearer(bank["api_key"])
    )
    assert statement.status_code == 404
    kept_statement = functions("list_account_payments").get(
        f"/v1/accounts/{other_account}/payments", headers=bearer(bank["api_key"])
    )
    assert [item["id"] for item in kept_statement.json["items"]] == [kept["id"]]
    # The merchant's receipt stays, with its items; its card data and amounts too.
    mine = functions("get_receipt").get(f"/v1/receipts/{receipt['id']}", headers=bearer(merchant["api_key"]))
    assert mine.status_code == 200 and mine.json["lines"][0]["description"] == "Espresso"

    assert replay(write_engine, read_engine()) > 0
    assert account not in dump(os.environ["READ_DATABASE_URL"])
    assert (
        functions("list_account_payments")
        .get(f"/v1/accounts/{account}/payments", headers=bearer(bank["api_key"]))
        .status_code
        == 404
    )


def test_erasing_an_account_never_seen_erases_nothing(functions, bank):
    response = functions("erase_account").delete("/v1/accounts/acct-never-seen", headers=bearer(bank["api_key"]))
    assert response.status_code == 202 and response.json["payments"] == 0


def test_only_a_bank_erases_and_only_its_own_accounts(functions, merchant, bank, write_engine):
    account = unique("acct-theirs")
    functions("submit_payment").post("/", json=payment_body(account_ref=account), headers=bearer(bank["api_key"]))
    assert (
        functions("erase_account").delete(f"/v1/accounts/{account}", headers=bearer(merchant["api_key"])).status_code
        == 403
    )
    other_bank = (
        functions("create_bank")
        .post("/", json={"name": "Other", "callback_url": "http://127.0.0.1:9/"}, headers=bearer(ADMIN_API_KEY))
        .json
    )
    assert (
        functions("erase_account")
        .delete(f"/v1/accounts/{account}", headers=bearer(other_bank["api_key"]))
        .json["payments"]
        == 0
    )
    with write_engine.connect() as connection:
        assert (
            connection.execute(
                text("SELECT count(*) FROM payments WHERE account_ref = :ref"), {"ref": account}
            ).scalar_one()
            == 1
        )
