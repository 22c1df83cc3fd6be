"""Callback delivery against real receivers and the real write model (SPEC §6; issue 4)."""

import dataclasses
import json
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler

import pytest
from sqlalchemy import text

from shared import callbacks, events, outbox, services
from shared.config import settings
from shared.db import UnitOfWork
from shared.errors import DeliveryPending
from tests.support import (ADMIN_API_KEY, QuietHandler, bearer, payment_body, random_pan, receipt_body, remember,
                           serve)


class Receiver:
    """A real webhook receiver that fails the first `failures` calls of each event id."""

    def __init__(self, failures: int = 0):
        self.calls = Counter()
        self.delivered = []
        receiver = self

        class Handler(QuietHandler, BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                event_id = self.headers["Receipts-Event-Id"]
                receiver.calls[event_id] += 1
                ok = receiver.calls[event_id] > failures
                if ok:
                    receiver.delivered.append((self.path, dict(self.headers), body))
                self.send_response(200 if ok else 503)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = serve(Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"


@pytest.fixture(autouse=True)
def unpublished(monkeypatch):
    """These tests drive matching and delivery themselves, not the live platform."""
    monkeypatch.setattr(outbox, "publish_committed", lambda engine, events: None)


def register(functions, kind, url):
    response = functions(f"create_{kind}").post(
        "/", json={"name": f"{kind} callbacks", "callback_url": url}, headers=bearer(ADMIN_API_KEY))
    party = response.json
    remember(party["api_key"], party["webhook_secret"])
    return party


def matched_payment(functions, receiver):
    merchant = register(functions, "merchant", f"{receiver.url}/merchant")
    bank = register(functions, "bank", f"{receiver.url}/bank")
    pan = random_pan()
    receipt = functions("submit_receipt").post("/", json=receipt_body(pan=pan), headers=bearer(merchant["api_key"])).json
    payment = functions("submit_payment").post("/", json=payment_body(pan=pan), headers=bearer(bank["api_key"])).json
    outcome = services.match_submissions(
        [{"id": str(uuid.uuid4()), "type": events.PAYMENT_SUBMITTED, "subject": payment["id"]}], UnitOfWork())
    [matched] = [event for event in outcome.events if event.type == events.PAYMENT_MATCHED]
    event = {"id": str(matched.id), "type": matched.type, "subject": str(matched.subject), "data": matched.data}
    return merchant, bank, receipt, payment, pan, event


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
    assert callbacks.verify(bank["webhook_secret"], bank_headers["Receipts-Signature"], bank_body)
    bank_callback = json.loads(bank_body)
    assert bank_callback["type"] == "receipt.matched" and bank_callback["id"] == bank_headers["Receipts-Event-Id"]
    data = bank_callback["data"]
    assert data["payment_id"] == payment["id"] and data["receipt"]["id"] == receipt["id"]
    assert data["receipt"]["merchant"]["name"] == merchant["name"]
    assert data["receipt"]["lines"][0]["description"] == "Espresso"
    assert data["receipt_url"].endswith(f"/v1/receipts/{receipt['id']}")
    merchant_headers, merchant_body = by_path["/merchant"]
    assert callbacks.verify(merchant["webhook_secret"], merchant_headers["Receipts-Signature"], merchant_body)
    merchant_data = json.loads(merchant_body)["data"]
    assert merchant_data["receipt_id"] == receipt["id"] and merchant_data["customer_id"].startswith("cus_")
    assert not callbacks.verify(merchant["webhook_secret"], bank_headers["Receipts-Signature"], bank_body)
    for _, _, body in receiver.delivered:
        assert pan not in body.decode()


def test_a_receiver_failing_three_times_gets_exactly_one_delivery_per_event(functions, write_engine):
    receiver = Receiver(failures=3)
    *_, payment, pan, event = matched_payment(functions, receiver)
    assert deliver_until_done(event) == 4
    assert sorted(receiver.calls.values()) == [4, 4]
    assert len(receiver.delivered) == 2 and len({headers["Receipts-Event-Id"] for _, headers, _ in receiver.delivered}) == 2
    deliver_until_done(event)  # a redelivered event sends nothing again
    assert len(receiver.delivered) == 2
    with write_engine.connect() as connection:
        rows = connection.execute(text("SELECT status, attempts FROM callbacks WHERE payment_id = :id"),
                                  {"id": payment["id"]}).all()
        recorded = connection.execute(text(
            "SELECT count(*) FROM outbox o JOIN callbacks c ON c.id = o.subject"
            " WHERE c.payment_id = :id AND o.type = 'receipts.callback.delivered.v1'"), {"id": payment["id"]}).scalar_one()
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
        rows = connection.execute(text("SELECT status, attempts, last_error FROM callbacks WHERE payment_id = :id"),
                                  {"id": payment["id"]}).all()
        failed = connection.execute(text(
            "SELECT count(*) FROM outbox o JOIN callbacks c ON c.id = o.subject"
            " WHERE c.payment_id = :id AND o.type = 'receipts.callback.failed.v1'"), {"id": payment["id"]}).scalar_one()
    assert sorted(tuple(row) for row in rows) == [("failed", 2, "HTTP 503"), ("failed", 2, "HTTP 503")]
    assert failed == 2
