"""Reconciliation on the real write model: the labelled scenarios, concurrency, expiry,
clearing and refunds."""

from __future__ import annotations

import contextlib
import json
import random
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from shared.domain import events
from shared.platform import faults
from shared.write import callbacks, matching, outbox, services
from shared.write.unit_of_work import UnitOfWork
from tests.conftest import ARTIFACTS
from tests.reconciliation_scenarios import BASE_AMOUNT, BASE_DATE, SCENARIOS, Scenario
from tests.support import bearer, mask, par, random_pan, token_pan, unique, wait_until, waiting_for_sweep_lock


@pytest.fixture(autouse=True)
def unpublished(monkeypatch):
    """These tests run reconciliation themselves: the live platform (running for the
    end-to-end tests on the same databases) must not match their items first."""
    monkeypatch.setattr(outbox, "publish_committed", lambda engine, events: None)
    monkeypatch.setattr(outbox, "relay", lambda engine, **options: 0)


# How a slip shows the card: first 6 and last 4, the last 4 only ("**** **** **** 1234", as
# printed), or no digits at all (the line then carries its RRN and terminal id); a wallet
# slip, the token's digits either way.
PRINTED = {
    "full": mask,
    "last4": lambda pan: "**** **** **** " + pan[-4:],
    "reference": lambda pan: None,
    "token": mask,
    "token_last4": lambda pan: "**** **** **** " + pan[-4:],
}


@dataclass(frozen=True)
class Card:
    """A scenario's card: its number, its phone wallet's token, and the PARs its items name."""

    pan: str
    token: str
    pars: dict[str, str]


def new_card() -> Card:
    return Card(random_pan(), token_pan(), {"A": par(), "B": par()})


class Parties:
    def __init__(self, functions, merchant, bank):
        self.functions, self.merchant, self.bank = functions, merchant, bank

    def receipt(self, numbers: Card, rrn: str, refund_of: str | None = None, slip: str = "full", **line) -> str:
        amount = line.pop("amount", BASE_AMOUNT)
        total = amount - line.get("cashback", 0)
        issued_at = line.pop("issued_at", f"{BASE_DATE}T12:00:30+01:00")
        if "par" in line:
            line["par"] = numbers.pars[line["par"]]
        card_line = {
            "masked_pan": PRINTED[slip](numbers.token if slip.startswith("token") else numbers.pan),
            "auth_code": "AUTH01",
            "amount": amount,
            "currency": "EUR",
            "transaction_date": BASE_DATE,
            "transaction_time": "12:00:00",
            "terminal_id": "T0001",
            "rrn": rrn,
        } | line
        body = {
            "merchant_receipt_id": unique("POS"),
            "issued_at": issued_at,
            "currency": "EUR",
            "lines": [{"description": "Item", "quantity": 1, "unit_price": total, "amount": total}],
            "totals": {"subtotal": total, "tax": 0, "tip": 0, "total": total},
            "payments": [card_line],
        }
        if refund_of:
            body["refund_of"] = refund_of
        response = self.functions("submit_receipt").post("/", json=body, headers=bearer(self.merchant["api_key"]))
        assert response.status_code == 201, response.json
        return response.json["id"]

    def payment(
        self, numbers: Card, rrn: str, other_card: bool = False, card: str = "same", token: str | None = None, **fields
    ) -> tuple[str, str]:
        pan = numbers.pan
        if other_card:
            pan = random_pan()
        elif card == "same_last4":
            pan = random_pan()[:-4] + pan[-4:]
        if token is not None:
            number = numbers.token if token == "same" else token_pan(like=numbers.token)
            fields["token"] = {"pan": number, "wallet": "apple_pay"}
        if "par" in fields:
            fields["par"] = numbers.pars[fields["par"]]
        body = {
            "bank_payment_id": unique("TXN"),
            "account_ref": "acct-1",
            "pan": pan,
            "auth_code": "AUTH01",
            "amount": BASE_AMOUNT,
            "currency": "EUR",
            "transaction_date": BASE_DATE,
            "transaction_time": "12:00:00",
            "merchant_name": "Cafe",
            "terminal_id": "T0001",
            "rrn": rrn,
            "kind": "purchase",
        } | fields
        response = self.functions("submit_payment").post("/", json=body, headers=bearer(self.bank["api_key"]))
        assert response.status_code == 201, response.json
        return response.json["id"], body["bank_payment_id"]

    def reverse(self, bank_payment_id: str, amount: int | None):
        reversal = {"bank_payment_id": bank_payment_id, "reversal_id": unique("REV")}
        return self.functions("reverse_payment").post(
            "/", json=reversal | ({"amount": amount} if amount else {}), headers=bearer(self.bank["api_key"])
        )

    def clear(self, bank_payment_id: str, amount: int):
        return self.functions("clear_payment").post(
            "/",
            json={"bank_payment_id": bank_payment_id, "amount": amount, "currency": "EUR"},
            headers=bearer(self.bank["api_key"]),
        )


@pytest.fixture
def parties(functions, merchant, bank):
    return Parties(functions, merchant, bank)


def submit(parties: Parties, scenario: Scenario) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    card, rrn = new_card(), f"{random.randrange(10**11, 10**12)}"
    receipts: dict[str, str] = {}
    for name, line in scenario.receipts.items():
        line = dict(line)
        refund_of = receipts[line.pop("refund_of")] if "refund_of" in line else None
        receipts[name] = parties.receipt(card, line.pop("rrn", rrn), refund_of, **line)
    payments = {
        name: parties.payment(card, fields.pop("rrn", rrn), **fields)
        for name, fields in ((name, dict(fields)) for name, fields in scenario.payments.items())
    }
    for name, amount in scenario.reversals:
        answer = parties.reverse(payments[name][1], amount)
        assert answer.status_code == 200, answer.json
    return receipts, payments


def reconcile():
    return services.reconcile(UnitOfWork())


def payment_states(write_engine, ids) -> dict:
    with write_engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT p.id, p.status, p.receipt_id, l.match_rule, l.card_key, p.version FROM payments p"
                " LEFT JOIN receipt_card_payments l ON l.payment_id = p.id WHERE p.id = ANY(CAST(:ids AS uuid[]))"
            ),
            {"ids": "{" + ",".join(ids) + "}"},
        ).all()
    return {str(row.id): row for row in rows}


def statuses(write_engine, table: str, ids) -> dict[str, str]:
    with write_engine.connect() as connection:
        rows = connection.execute(
            text(f"SELECT id, status FROM {table} WHERE id = ANY(CAST(:ids AS uuid[]))"),
            {"ids": "{" + ",".join(ids) + "}"},
        ).all()
    return {str(row.id): row.status for row in rows}


def test_the_labelled_scenarios_are_matched_with_full_precision(parties, write_engine):
    submitted = {scenario.label: submit(parties, scenario) for scenario in SCENARIOS}
    reconcile()
    for scenario in SCENARIOS:
        for payment, amount in scenario.clearings:
            answer = parties.clear(submitted[scenario.label][1][payment][1], amount)
            assert answer.status_code == 200, answer.json
    reconcile()

    made, right, labelled, lines = 0, 0, 0, []
    for scenario in SCENARIOS:
        receipts, payments = submitted[scenario.label]
        names = {receipt_id: name for name, receipt_id in receipts.items()}
        found = payment_states(write_engine, [payment_id for payment_id, _ in payments.values()])
        labelled += len(scenario.matches)
        found_here = 0
        for name, (payment_id, _) in payments.items():
            state = found[payment_id]
            truth = scenario.matches.get(name)
            if state.status == "matched":
                made += 1
                got = (names.get(str(state.receipt_id), "another receipt"), state.match_rule)
                if truth and truth[0] == got[0]:
                    right += 1
                    found_here += 1
                assert got == truth, f"{scenario.label}: {name} matched {got}, truth {truth}"
            else:
                assert truth is None, f"{scenario.label}: {name} is {state.status}, truth {truth}"
            if any(name == reversed_in_full for reversed_in_full, part in scenario.reversals if part is None):
                assert state.status == "reversed", f"{scenario.label}: {name} is {state.status}"
            lines.append(
                f"  {name} → {state.status} "
                f"{names.get(str(state.receipt_id), '') if state.receipt_id else ''} {state.match_rule or ''}"
                f" {state.card_key or ''}".rstrip()
            )
        recall = f"recall {found_here}/{len(scenario.matches)}" if scenario.matches else "nothing to match"
        lines.insert(len(lines) - len(payments), f"{scenario.label}: {recall}")
        ids = {"receipts": receipts, "payments": {name: payment_id for name, (payment_id, _) in payments.items()}}
        for table, items in ids.items():
            found_status = statuses(write_engine, table, list(items.values()))
            for name, item_id in items.items():
                if name in scenario.ambiguous:
                    assert found_status[item_id] == "ambiguous", f"{scenario.label}: {name} {found_status[item_id]}"
    precision, recall = right / made, right / labelled
    Path(ARTIFACTS / "reconciliation-scenarios.txt").write_text(
        f"precision {precision:.0%} ({right} of {made} matches made are right)\n"
        f"recall {recall:.0%} ({right} of {labelled} labelled matches found)\n\n" + "\n".join(lines) + "\n"
    )
    assert precision == 1.0
    assert recall == 1.0


def test_two_concurrent_runs_end_in_the_state_one_run_gives(parties, write_engine):
    scenarios = [scenario for scenario in SCENARIOS if not scenario.clearings]
    submitted = [submit(parties, scenario) for scenario in scenarios]
    payment_ids = [payment_id for _, payments in submitted for payment_id, _ in payments.values()]

    errors = []

    def run():
        try:
            reconcile()
        except Exception as error:  # reported below: a run must not fail
            errors.append(error)

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(timeout=120)
    assert not errors

    found = payment_states(write_engine, payment_ids)
    for scenario, (receipts, payments) in zip(scenarios, submitted):
        for name, (payment_id, _) in payments.items():
            state = found[payment_id]
            truth = scenario.matches.get(name)
            reversed_before = sum(name == reversed_payment for reversed_payment, _ in scenario.reversals)
            if truth:
                assert (str(state.receipt_id), state.match_rule) == (receipts[truth[0]], truth[1])
                assert state.version == 2 + reversed_before  # matched once, as by one run
            else:
                assert state.status in ("unmatched", "ambiguous", "reversed") and state.version <= 2 + reversed_before
    with write_engine.connect() as connection:
        matched_events = connection.execute(
            text(
                "SELECT subject, count(*) FROM outbox WHERE type = 'receipts.payment.matched.v1'"
                " AND subject = ANY(CAST(:ids AS uuid[])) GROUP BY subject HAVING count(*) > 1"
            ),
            {"ids": "{" + ",".join(payment_ids) + "}"},
        ).all()
    assert matched_events == []


@contextlib.contextmanager
def after_each_exact_rule(happening):
    """Inside, each run calls happening() once its exact rule has run, before the others."""
    sweep = matching.Matches.sweep

    def sweep_then(matches, rule=matching.EXACT, **options):
        outcome = sweep(matches, rule=rule, **options)
        if rule == matching.EXACT:
            happening()
        return outcome

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.Matches, "sweep", sweep_then)
        yield


def test_a_pair_that_arrives_during_a_run_waits_for_an_exact_match(parties, write_engine):
    """A run's rules all read one snapshot: a pair committed between the exact and the
    date_window statement is not the run's (at READ COMMITTED, date_window would label it,
    though its dates are equal); the next run, or its own event's match, takes it exactly."""
    card, rrn = new_card(), "600000000555"
    arrived = {}

    def a_pair_arrives():
        arrived["receipt"] = parties.receipt(card, rrn)
        arrived["payment"], _ = parties.payment(card, rrn)

    with after_each_exact_rule(a_pair_arrives):
        reconcile()
    assert statuses(write_engine, "payments", [arrived["payment"]]) == {arrived["payment"]: "unmatched"}
    reconcile()
    found = payment_states(write_engine, [arrived["payment"]])[arrived["payment"]]
    assert (str(found.receipt_id), found.match_rule) == (arrived["receipt"], "exact")


def test_a_run_that_a_clearing_overtakes_fails_whole_and_the_next_one_matches(parties, write_engine):
    """On its snapshot a run cannot claim a payment a clearing has changed since: it fails
    with a serialization error (a transient fault, which its trigger tries again), having
    changed nothing, and the next run matches the payment at its cleared amount."""
    card, rrn = new_card(), "600000000556"
    receipt_id = parties.receipt(card, rrn)
    payment_id, bank_payment_id = parties.payment(card, rrn, amount=BASE_AMOUNT + 100)  # a tip

    def cleared():
        assert parties.clear(bank_payment_id, BASE_AMOUNT + 50).status_code == 200

    with after_each_exact_rule(cleared), pytest.raises(DBAPIError) as failure:
        reconcile()
    assert faults.sqlstate(failure.value) == "40001" and faults.retryable(failure.value)
    assert statuses(write_engine, "payments", [payment_id]) == {payment_id: "unmatched"}
    with write_engine.connect() as connection:  # the failed run let go of the sweep lock
        assert (
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND mode = 'ExclusiveLock'"
                    " AND (classid::bigint << 32 | objid::bigint) = hashtextextended('receipts.matching.sweep', 0)"
                )
            ).scalar_one()
            == 0
        )
    reconcile()
    found = payment_states(write_engine, [payment_id])[payment_id]
    assert (str(found.receipt_id), found.match_rule) == (receipt_id, "tip")


def test_a_run_that_waits_for_a_match_in_flight_reads_what_it_committed(parties, write_engine):
    """A run that finds the sweep lock busy takes its snapshot once it holds the lock: the
    match an event was making meanwhile is in it, not a serialization failure."""
    card, rrn = new_card(), "600000000557"
    receipt_id = parties.receipt(card, rrn)
    payment_id, _ = parties.payment(card, rrn)
    with write_engine.connect() as matcher, ThreadPoolExecutor(1) as pool:
        with matcher.begin():
            outcome = matching.Matches(matcher, outbox.Recorded()).match_items(
                [uuid.UUID(receipt_id)], [uuid.UUID(payment_id)]
            )
            assert (outcome.lines_matched, outcome.deferred) == (1, False)
            run = pool.submit(reconcile)
            wait_until(
                lambda: waiting_for_sweep_lock(write_engine, shared=False) == 1,
                message="the run to wait for the sweep lock",
            )
        run.result(timeout=60)
    found = payment_states(write_engine, [payment_id])[payment_id]
    assert (str(found.receipt_id), found.match_rule, found.version) == (receipt_id, "exact", 2)


def test_items_unmatched_past_the_window_expire_and_are_not_matched_after(parties, write_engine):
    card, rrn = new_card(), "600000000777"
    receipt_id = parties.receipt(card, rrn)
    payment_id, _ = parties.payment(new_card(), rrn)
    with write_engine.begin() as connection:
        connection.execute(
            text("UPDATE receipts SET created_at = now() - interval '8 days' WHERE id = :id"), {"id": receipt_id}
        )
        connection.execute(
            text("UPDATE payments SET created_at = now() - interval '8 days' WHERE id = :id"), {"id": payment_id}
        )
    run = reconcile()
    assert run.expired["receipts"] >= 1 and run.expired["payments"] >= 1
    assert statuses(write_engine, "receipts", [receipt_id]) == {receipt_id: "expired"}
    assert statuses(write_engine, "payments", [payment_id]) == {payment_id: "expired"}

    parties.payment(card, rrn)  # would match exactly, but its receipt stopped waiting
    reconcile()
    assert statuses(write_engine, "receipts", [receipt_id]) == {receipt_id: "expired"}


def test_a_clearing_for_an_unknown_payment_is_404_and_a_currency_change_422(parties):
    assert parties.clear(unique("TXN"), 1000).status_code == 404
    _, bank_payment_id = parties.payment(new_card(), "600000000888")
    answer = parties.functions("clear_payment").post(
        "/",
        json={"bank_payment_id": bank_payment_id, "amount": 1000, "currency": "USD"},
        headers=bearer(parties.bank["api_key"]),
    )
    assert answer.status_code == 422 and answer.json["error"]["details"][0]["code"] == "currency_mismatch"


def test_a_clearing_keeps_the_authorised_amount_and_is_idempotent(parties, write_engine):
    payment_id, bank_payment_id = parties.payment(new_card(), "600000000999")
    first = parties.clear(bank_payment_id, 1200)
    again = parties.clear(bank_payment_id, 1200)
    assert first.status_code == again.status_code == 200
    assert first.json == again.json
    assert (first.json["amount"], first.json["authorised_amount"]) == (1200, 1000)
    with write_engine.connect() as connection:
        versions = connection.execute(
            text("SELECT version FROM payments WHERE id = :id"), {"id": payment_id}
        ).scalar_one()
    assert versions == 2


def test_a_refund_receipt_must_name_one_of_the_merchants_receipts(parties):
    response = parties.functions("submit_receipt").post(
        "/",
        json={
            "merchant_receipt_id": unique("POS"),
            "issued_at": f"{BASE_DATE}T12:00:30+01:00",
            "currency": "EUR",
            "lines": [{"description": "Item", "quantity": 1, "unit_price": 300, "amount": 300}],
            "totals": {"subtotal": 300, "tax": 0, "tip": 0, "total": 300},
            "payments": [
                {
                    "masked_pan": mask(random_pan()),
                    "auth_code": "AUTH01",
                    "amount": 300,
                    "currency": "EUR",
                    "transaction_date": BASE_DATE,
                    "transaction_time": "12:00:00",
                    "terminal_id": "T0001",
                    "rrn": "600000000300",
                }
            ],
            "refund_of": str(uuid.uuid4()),
        },
        headers=bearer(parties.merchant["api_key"]),
    )
    assert response.status_code == 422
    assert response.json["error"]["details"][0]["code"] == "refund_of_unknown"


def test_a_payment_moved_by_clearing_calls_the_bank_back_with_its_new_receipt(parties, write_engine):
    card, rrn = new_card(), "600000001234"
    first = parties.receipt(card, rrn)
    second = parties.receipt(card, "600000004321", amount=2000)
    payment_id, bank_payment_id = parties.payment(card, rrn)
    sent = []

    def receive(url, body, headers):
        sent.append((headers["Receipts-Event-Id"], json.loads(body)))
        return callbacks.Answer(200)

    def deliver(event_type):
        event = {"id": str(uuid.uuid4()), "type": event_type, "subject": payment_id}
        services.deliver_callbacks(event, UnitOfWork(), send=receive)

    reconcile()
    deliver(events.PAYMENT_MATCHED)
    assert parties.clear(bank_payment_id, 2000).json["status"] == "unmatched"
    assert statuses(write_engine, "receipts", [first]) == {first: "unmatched"}
    deliver(events.PAYMENT_CLEARED)
    reconcile()
    deliver(events.PAYMENT_MATCHED)

    to_bank = [
        (event_id, body["type"], body["data"].get("receipt", {}).get("id") or body["data"].get("receipt_id"))
        for event_id, body in sent
        if "account_ref" in body["data"]
    ]
    assert [(kind, receipt_id) for _, kind, receipt_id in to_bank] == [
        ("receipt.matched", first),
        ("receipt.unlinked", first),
        ("receipt.matched", second),
    ]
    assert len({event_id for event_id, _, _ in to_bank}) == 3  # each a new event for the receiver
    unlinked = next(body["data"] for _, body in sent if body["type"] == "receipt.unlinked")
    assert (unlinked["amount"], unlinked["authorised_amount"], unlinked["reason"]) == (2000, 1000, "clearing")


def test_the_scheduled_function_runs_a_reconciliation(functions, write_engine):
    def completed_runs():
        with write_engine.connect() as connection:
            return (
                connection.execute(
                    text("SELECT data FROM outbox WHERE type = :type ORDER BY position"),
                    {"type": events.RECONCILIATION_COMPLETED},
                )
                .scalars()
                .all()
            )

    before = len(completed_runs())
    fired = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "urn:receipts:cron",
        "type": "receipts.schedule.fired.v1",
        "subject": "reconcile",
        "data": {"schedule": "* * * * *"},
    }
    answer = functions("reconcile").post("/", data=json.dumps(fired), content_type="application/cloudevents+json")
    assert answer.status_code == 200
    runs = completed_runs()
    assert len(runs) == before + 1
    assert set(runs[-1]["matched"]) == {"exact", "date_window", "tip", "no_auth_code"}
