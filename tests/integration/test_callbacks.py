"""Callback delivery against real receivers and the real write model (SPEC §6)."""

import dataclasses
import json
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler

import pytest
import standardwebhooks
from sqlalchemy import event as sql_events
from sqlalchemy import text

from shared.domain import events
from shared.domain.errors import DeliveryPending
from shared.platform import db
from shared.platform.config import settings
from shared.platform.db import read_engine
from shared.read import report
from shared.write import callbacks, outbox, results, services, signatures
from shared.write.unit_of_work import UnitOfWork
from tests.support import ADMIN_API_KEY, QuietHandler, bearer, payment_body, random_pan, receipt_body, remember, serve
from tests.support_events import project_outbox


class Receiver:
    """A real webhook receiver that fails the first `failures` calls of each event id, or
    answers what `answer(path, call)` says: (status, headers)."""

    def __init__(self, failures: int = 0, answer=None):
        self.calls = Counter()
        self.delivered = []
        receiver = self
        answer = answer or (lambda path, call: (200 if call > failures else 503, {}))

        class Handler(QuietHandler, BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                event_id = self.headers["Receipts-Event-Id"]
                receiver.calls[event_id] += 1
                status, headers = answer(self.path, receiver.calls[event_id])
                if 200 <= status < 300:
                    receiver.delivered.append((self.path, dict(self.headers), body))
                self.send_response(status)
                for name, value in {**headers, "Content-Length": "0"}.items():
                    self.send_header(name, value)
                self.end_headers()

        self.server = serve(Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"


@pytest.fixture(autouse=True)
def unpublished(monkeypatch):
    """These tests drive matching and delivery themselves, not the live platform."""
    monkeypatch.setattr(outbox, "publish_committed", lambda engine, events: None)


def register(functions, kind, url):
    response = functions(f"create_{kind}").post(
        "/", json={"name": f"{kind} callbacks", "callback_url": url}, headers=bearer(ADMIN_API_KEY)
    )
    party = response.json
    remember(party["api_key"], party["webhook_secret"])
    return party


def matched_payment(functions, receiver):
    merchant = register(functions, "merchant", f"{receiver.url}/merchant")
    bank = register(functions, "bank", f"{receiver.url}/bank")
    return (merchant, bank, *match(functions, merchant, bank))


def match(functions, merchant, bank):
    """A receipt of merchant and a payment of bank, matched: (receipt, payment, pan, the payment.matched event)."""
    pan = random_pan()
    receipt = (
        functions("submit_receipt").post("/", json=receipt_body(pan=pan), headers=bearer(merchant["api_key"])).json
    )
    payment = functions("submit_payment").post("/", json=payment_body(pan=pan), headers=bearer(bank["api_key"])).json
    outcome = services.match_submissions(
        [{"id": str(uuid.uuid4()), "type": events.PAYMENT_SUBMITTED, "subject": payment["id"]}], UnitOfWork()
    )
    [matched] = [event for event in outcome.events if event.type == events.PAYMENT_MATCHED]
    event = {"id": str(matched.id), "type": matched.type, "subject": str(matched.subject), "data": matched.data}
    return receipt, payment, pan, event


def deliver_until_done(event, attempts: int = 10) -> int:
    """Invoke the function as the trigger would, until it stops asking for a retry."""
    for attempt in range(1, attempts + 1):
        try:
            services.deliver_callbacks(event, UnitOfWork())
            return attempt
        except DeliveryPending:
            continue
    raise AssertionError("callbacks still pending")


def test_both_parties_get_one_signed_callback_each(functions, write_engine):
    receiver = Receiver()
    merchant, bank, receipt, payment, pan, event = matched_payment(functions, receiver)
    assert deliver_until_done(event) == 1
    by_path = {path: (headers, body) for path, headers, body in receiver.delivered}
    bank_headers, bank_body = by_path["/bank"]
    assert signatures.verify(bank["webhook_secret"], bank_headers["Receipts-Signature"], bank_body)
    bank_callback = json.loads(bank_body)
    assert bank_callback["type"] == "receipt.matched" and bank_callback["id"] == bank_headers["Receipts-Event-Id"]
    data = bank_callback["data"]
    assert data["payment_id"] == payment["id"] and data["receipt"]["id"] == receipt["id"]
    assert data["receipt"]["merchant"]["name"] == merchant["name"]
    assert data["receipt"]["lines"][0]["description"] == "Espresso"
    assert data["receipt_url"].endswith(f"/v1/receipts/{receipt['id']}")
    assert data["receipt_formats"] == {kind: f"{data['receipt_url']}/{kind}" for kind in ("html", "kivra", "arts")}
    merchant_headers, merchant_body = by_path["/merchant"]
    assert signatures.verify(merchant["webhook_secret"], merchant_headers["Receipts-Signature"], merchant_body)
    merchant_data = json.loads(merchant_body)["data"]
    assert merchant_data["receipt_id"] == receipt["id"] and merchant_data["customer_id"].startswith("cus_")
    assert not signatures.verify(merchant["webhook_secret"], bank_headers["Receipts-Signature"], bank_body)
    for _, _, body in receiver.delivered:
        assert pan not in body.decode()


def test_a_receiver_failing_three_times_gets_exactly_one_delivery_per_event(functions, write_engine):
    receiver = Receiver(failures=3)
    *_, payment, pan, event = matched_payment(functions, receiver)
    assert deliver_until_done(event) == 4
    assert sorted(receiver.calls.values()) == [4, 4]
    assert (
        len(receiver.delivered) == 2
        and len({headers["Receipts-Event-Id"] for _, headers, _ in receiver.delivered}) == 2
    )
    deliver_until_done(event)  # a redelivered event sends nothing again
    assert len(receiver.delivered) == 2
    with write_engine.connect() as connection:
        rows = connection.execute(
            text("SELECT status, attempts FROM callbacks WHERE payment_id = :id"), {"id": payment["id"]}
        ).all()
        recorded = connection.execute(
            text(
                "SELECT count(*) FROM outbox o JOIN callbacks c ON c.id = o.subject"
                " WHERE c.payment_id = :id AND o.type = 'receipts.callback.delivered.v1'"
            ),
            {"id": payment["id"]},
        ).scalar_one()
    assert sorted(tuple(row) for row in rows) == [("delivered", 4), ("delivered", 4)]
    assert recorded == 2


def test_a_callback_failing_past_its_window_is_marked_failed(functions, write_engine, monkeypatch):
    receiver = Receiver(failures=1000)
    *_, payment, pan, event = matched_payment(functions, receiver)
    with pytest.raises(DeliveryPending):
        services.deliver_callbacks(event, UnitOfWork())
    monkeypatch.setattr(callbacks, "settings", lambda: dataclasses.replace(settings(), callback_window_seconds=0))
    services.deliver_callbacks(event, UnitOfWork())  # the last attempt: no retry asked
    with write_engine.connect() as connection:
        rows = connection.execute(
            text("SELECT status, attempts, last_error FROM callbacks WHERE payment_id = :id"), {"id": payment["id"]}
        ).all()
        failed = connection.execute(
            text(
                "SELECT count(*) FROM outbox o JOIN callbacks c ON c.id = o.subject"
                " WHERE c.payment_id = :id AND o.type = 'receipts.callback.failed.v1'"
            ),
            {"id": payment["id"]},
        ).scalar_one()
    assert sorted(tuple(row) for row in rows) == [("failed", 2, "HTTP 503"), ("failed", 2, "HTTP 503")]
    assert failed == 2


def callback_rows(write_engine, payment_id):
    with write_engine.connect() as connection:
        return {
            row.party_kind: row
            for row in connection.execute(
                text(
                    "SELECT party_kind, status, attempts, last_error, url, next_attempt_at FROM callbacks"
                    " WHERE payment_id = :id"
                ),
                {"id": payment_id},
            )
        }


def operator_report(write_engine, payment_ids):
    """The operator's report of the payments' day, once their events (and their callbacks')
    are projected into the read model."""
    project_outbox(write_engine, payment_ids)
    with read_engine().connect() as connection:
        return report.reconciliation(connection, None, report.ReportQuery(date=payment_body()["transaction_date"]))


def test_a_callback_verifies_with_the_standard_webhooks_library_too(functions):
    receiver = Receiver()
    merchant, bank, *_, event = matched_payment(functions, receiver)
    deliver_until_done(event)
    secrets = {"/bank": bank["webhook_secret"], "/merchant": merchant["webhook_secret"]}
    for path, headers, body in receiver.delivered:
        assert standardwebhooks.Webhook(secrets[path]).verify(body, headers)["id"] == headers["Receipts-Event-Id"]
        assert headers["webhook-id"] == headers["Receipts-Event-Id"]
        assert headers["Receipts-Signature"].startswith(f"t={headers['webhook-timestamp']},v1=")
        other = secrets["/bank" if path == "/merchant" else "/merchant"]
        with pytest.raises(standardwebhooks.WebhookVerificationError):
            standardwebhooks.Webhook(other).verify(body, headers)


def test_after_a_rotation_either_secret_verifies_for_24_hours_then_only_the_new_one(functions, write_engine):
    receiver = Receiver()
    merchant, bank, *_, event = matched_payment(functions, receiver)
    old = bank["webhook_secret"]
    new = (
        functions("rotate_webhook_secret")
        .post(f"/v1/admin/banks/{bank['id']}/webhook-secret", headers=bearer(ADMIN_API_KEY))
        .json["webhook_secret"]
    )
    remember(new)

    def bank_callback():
        [(headers, body)] = [(headers, body) for path, headers, body in receiver.delivered if path == "/bank"]
        receiver.delivered.clear()
        return headers, body

    deliver_until_done(event)
    headers, body = bank_callback()
    for secret in (old, new):
        assert standardwebhooks.Webhook(secret).verify(body, headers)
        assert signatures.verify(secret, headers["Receipts-Signature"], body)
    assert len(headers["webhook-signature"].split(" ")) == 2

    with write_engine.begin() as connection:  # the clock moved on past the grace period
        connection.execute(
            text("UPDATE banks SET webhook_secret_rotated_at = now() - interval '24 hours 1 second' WHERE id = :id"),
            {"id": bank["id"]},
        )
    *_, event = match(functions, merchant, bank)
    deliver_until_done(event)
    headers, body = bank_callback()
    assert standardwebhooks.Webhook(new).verify(body, headers) and signatures.verify(
        new, headers["Receipts-Signature"], body
    )
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(old).verify(body, headers)
    assert not signatures.verify(old, headers["Receipts-Signature"], body)


def test_a_receiver_answering_410_gets_no_further_attempt_until_its_url_changes(functions, write_engine):
    receiver = Receiver(answer=lambda path, call: (410 if path == "/bank" else 200, {}))
    merchant, bank, _, payment, _, event = matched_payment(functions, receiver)
    deliver_until_done(event)  # gone is final: nothing left pending
    rows = callback_rows(write_engine, payment["id"])
    assert (rows["bank"].status, rows["bank"].last_error, rows["bank"].attempts) == ("failed", "endpoint_gone", 1)
    assert rows["merchant"].status == "delivered"

    _, later, _, event = match(functions, merchant, bank)
    calls_before = sum(receiver.calls.values())
    deliver_until_done(event)
    assert sum(receiver.calls.values()) == calls_before + 1  # the merchant only
    assert (
        callback_rows(write_engine, later["id"])["bank"].last_error,
        callback_rows(write_engine, later["id"])["bank"].attempts,
    ) == ("endpoint_gone", 0)
    with write_engine.connect() as connection:
        disabled = connection.execute(
            text("SELECT data FROM outbox WHERE subject = :id AND type = 'receipts.bank.updated.v1'"),
            {"id": bank["id"]},
        ).all()
    gone = {
        item["payment_id"]: item["last_error"]
        for item in operator_report(write_engine, [payment["id"], later["id"]])["failed_callbacks"]["items"]
    }
    assert gone[payment["id"]] == gone[later["id"]] == "endpoint_gone"
    assert [row.data["endpoint_disabled"] for row in disabled] == [True]

    moved = functions("update_party").patch(
        f"/v1/admin/banks/{bank['id']}", json={"callback_url": f"{receiver.url}/bank-v2"}, headers=bearer(ADMIN_API_KEY)
    )
    assert moved.status_code == 200
    _, again, _, event = match(functions, merchant, bank)
    deliver_until_done(event)
    assert callback_rows(write_engine, again["id"])["bank"].status == "delivered"
    assert [path for path, *_ in receiver.delivered].count("/bank-v2") == 1


def test_a_retry_after_is_honoured_not_sooner(functions, write_engine):
    receiver = Receiver(answer=lambda path, call: (200, {}) if call > 1 else (503, {"Retry-After": "120"}))
    *_, payment, _, event = matched_payment(functions, receiver)
    for _ in range(3):  # the trigger calls again at once: nobody is called before the two minutes
        with pytest.raises(DeliveryPending):
            services.deliver_callbacks(event, UnitOfWork())
    assert sorted(receiver.calls.values()) == [1, 1]
    rows = callback_rows(write_engine, payment["id"])
    assert all(row.status == "pending" and row.attempts == 1 for row in rows.values())
    with write_engine.begin() as connection:  # the clock moved on past the Retry-After
        connection.execute(
            text(
                "UPDATE callbacks SET next_attempt_at = next_attempt_at - interval '121 seconds' WHERE payment_id = :id"
            ),
            {"id": payment["id"]},
        )
    assert deliver_until_done(event) == 1
    assert sorted(receiver.calls.values()) == [2, 2]


def test_a_retry_after_may_be_an_http_date():
    in_a_minute = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert 55 <= callbacks._seconds(in_a_minute) <= 60
    assert callbacks._seconds("7") == 7 and callbacks._seconds("soon") is None and callbacks._seconds(None) is None


def test_a_receiver_is_called_with_no_transaction_holding_the_callbacks(functions, write_engine):
    """A slow receiver holds no database connection or lock: its callbacks are leased,
    sent with no transaction open, then recorded."""
    receiver = Receiver()
    *_, payment, _, event = matched_payment(functions, receiver)
    free = []

    def send(url, body, headers):
        with write_engine.begin() as connection:  # NOWAIT: fails at once if an attempt still locks them
            free.append(
                len(
                    connection.execute(
                        text("SELECT id FROM callbacks WHERE payment_id = :id FOR UPDATE NOWAIT"), {"id": payment["id"]}
                    ).all()
                )
            )
        return callbacks.post(url, body, headers)

    services.deliver_callbacks(event, UnitOfWork(), send=send)
    assert free == [2, 2] and len(receiver.delivered) == 2
    assert {row.status for row in callback_rows(write_engine, payment["id"]).values()} == {"delivered"}


def test_a_leased_callback_is_not_sent_twice_and_is_retried_once_its_lease_runs_out(functions, write_engine):
    receiver = Receiver()
    *_, payment, _, event = matched_payment(functions, receiver)
    with UnitOfWork() as uow:  # an attempt that recorded and leased them, then crashed before sending
        payment_id = uuid.UUID(payment["id"])
        uow.callbacks.record_for_payments([payment_id])
        assert len(uow.callbacks.lease_due([payment_id])[payment_id]) == 2
        uow.commit()
    with pytest.raises(DeliveryPending):
        services.deliver_callbacks(event, UnitOfWork())
    assert receiver.calls == Counter()
    with write_engine.begin() as connection:  # the lease ran out
        connection.execute(
            text("UPDATE callbacks SET leased_until = now() - interval '1 second' WHERE payment_id = :id"),
            {"id": payment["id"]},
        )
    assert deliver_until_done(event) == 1
    assert sorted(receiver.calls.values()) == [1, 1]


def test_callbacks_to_one_receiver_reuse_its_kept_alive_connection_and_survive_its_closing():
    """A receiver that keeps connections alive gets the next callback on the same one; when
    it has closed it meanwhile, the callback goes on a new connection, delivered all the same."""
    peers = []

    class KeepAlive(QuietHandler, BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            peers.append(self.client_address)
            self.send_response(204)
            self.send_header("Content-Length", "0")
            if self.headers.get("X-Close"):
                self.send_header("Connection", "close")
            self.end_headers()

    server = serve(KeepAlive)
    url = f"http://127.0.0.1:{server.server_port}/hook"
    try:
        answers = [callbacks.post(url, b"{}", {}) for _ in range(3)]
        assert [answer.status for answer in answers] == [204, 204, 204]
        assert len(set(peers)) == 1  # one connection, kept alive
        assert callbacks.post(url, b"{}", {"X-Close": "1"}).status == 204  # the receiver closes this one
        assert callbacks.post(url, b"{}", {}).status == 204
        assert len(set(peers)) == 2
    finally:
        server.shutdown()


def test_a_batch_of_matches_is_called_back_in_two_transactions_and_a_pending_one_retried_alone(functions):
    """deliver-callbacks takes the trigger's batch at once: every payment's callbacks are
    recorded and leased in one transaction and answered in another; a payment whose
    receiver has not taken its callback yet is the one event handed back for a retry."""
    taking, refusing = Receiver(), Receiver(answer=lambda path, call: (503, {}))
    merchant, bank = (
        register(functions, "merchant", f"{taking.url}/merchant"),
        register(functions, "bank", f"{taking.url}/bank"),
    )
    first, second = (match(functions, merchant, bank)[3] for _ in range(2))
    stuck = matched_payment(functions, refusing)[-1]
    transactions, statements = [], []

    def begun(connection):
        transactions.append(connection)

    def executed(connection, cursor, statement, *_):
        statements.append(statement)

    sql_events.listen(db.write_engine(), "begin", begun)
    sql_events.listen(db.write_engine(), "before_cursor_execute", executed)
    try:
        pending = services.deliver_callbacks_together([first, second, stuck], UnitOfWork())
    finally:
        sql_events.remove(db.write_engine(), "begin", begun)
        sql_events.remove(db.write_engine(), "before_cursor_execute", executed)
    assert len(transactions) == 2
    # Whatever the batch's size: the matches read, their callbacks written, leased, answered,
    # the payments still pending counted, and the delivered events written to the outbox.
    assert len(statements) == 6, statements
    assert list(pending) == [stuck["id"]] and "not delivered yet" in pending[stuck["id"]].message
    assert sorted(path for path, _, _ in taking.delivered) == ["/bank", "/bank", "/merchant", "/merchant"]


def test_two_events_of_one_payment_in_a_batch_call_back_once(functions, write_engine):
    """A redelivered event beside its first delivery (or a clearing's beside the match's)
    sends each callback once and records each delivery once."""
    receiver = Receiver()
    *_, payment, _, event = matched_payment(functions, receiver)
    again = {**event, "id": str(uuid.uuid4())}
    assert services.deliver_callbacks_together([event, again], UnitOfWork()) == {}
    assert sorted(path for path, _, _ in receiver.delivered) == ["/bank", "/merchant"]
    with write_engine.connect() as connection:
        delivered = connection.execute(
            text("SELECT count(*) FROM outbox WHERE type = :type AND data ->> 'payment_id' = :id"),
            {"type": events.CALLBACK_DELIVERED, "id": payment["id"]},
        ).scalar_one()
    assert delivered == 2


DOCUMENTED = {
    ("bank", "receipt.matched"): results.BankReceiptMatchedCallback,
    ("merchant", "receipt.matched"): results.MerchantReceiptMatchedCallback,
    ("bank", "receipt.unlinked"): results.ReceiptUnlinkedCallback,
    ("bank", "receipt.voided"): results.ReceiptVoidedCallback,
}


def test_every_callback_is_what_the_openapi_documents_webhooks_say(functions, write_engine):
    receiver = Receiver()
    *_, receipt, payment, _, event = matched_payment(functions, receiver)
    deliver_until_done(event)
    payment_id, receipt_id = uuid.UUID(payment["id"]), uuid.UUID(receipt["id"])
    with UnitOfWork() as uow:
        uow.callbacks.record_unlinked(payment_id, receipt_id, reason="operator")
        uow.callbacks.record_voided(payment_id, receipt_id)
        uow.commit()
    with write_engine.connect() as connection:
        sent = connection.execute(
            text("SELECT party_kind, kind, body FROM callbacks WHERE payment_id = :payment_id"),
            {"payment_id": payment_id},
        ).all()
    assert sorted((party, kind) for party, kind, _ in sent) == sorted(DOCUMENTED)
    for party, kind, body in sent:
        documented = DOCUMENTED[party, kind].model_validate_json(body)
        # Every field sent is a documented one: the model, written back, is the body again.
        as_sent = json.loads(body)
        assert documented.model_dump(mode="json", exclude_unset=True) | {"created_at": as_sent["created_at"]} == as_sent
