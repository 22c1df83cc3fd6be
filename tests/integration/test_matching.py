"""Matching on the real write model (SPEC §5)."""

import json
import random
import threading
import time
import uuid

import pytest
from sqlalchemy import text

from shared.domain import events
from shared.domain.errors import DeliveryPending, ServiceUnavailable
from shared.domain.parties import Party
from shared.domain.payments import Reversal
from shared.write import locks, outbox, services
from shared.write.unit_of_work import UnitOfWork
from tests.support import bearer, mask, payment_body, random_pan, receipt_body, wait_until, waiting_for_sweep_lock


@pytest.fixture(autouse=True)
def unpublished(monkeypatch):
    """These tests call the matcher themselves: the platform's live matcher (running for
    the end-to-end tests on the same broker) must not see their submissions."""
    monkeypatch.setattr(outbox, "publish_committed", lambda engine, events: None)


@pytest.fixture
def submit(functions, merchant, bank):
    """Submit receipts and payments through their functions; returns their ids."""

    def receipt(**overrides):
        response = functions("submit_receipt").post(
            "/", json=receipt_body(**overrides), headers=bearer(merchant["api_key"])
        )
        assert response.status_code == 201, response.json
        return response.json["id"]

    def payment(**overrides):
        response = functions("submit_payment").post(
            "/", json=payment_body(**overrides), headers=bearer(bank["api_key"])
        )
        assert response.status_code == 201, response.json
        return response.json["id"]

    return receipt, payment


def card_line(pan: str, **overrides) -> dict:
    line = {
        "masked_pan": mask(pan),
        "auth_code": "A1B2C3",
        "amount": 820,
        "currency": "EUR",
        "transaction_date": "2026-11-26",
        "transaction_time": "13:45:02",
        "terminal_id": "T0001",
        "rrn": "633012345678",
        "scheme": "VISA",
    }
    return line | overrides


def match_event(kind: str, item_id: str):
    event_type = events.RECEIPT_SUBMITTED if kind == "receipt" else events.PAYMENT_SUBMITTED
    return services.match_submissions([{"id": str(uuid.uuid4()), "type": event_type, "subject": item_id}], UnitOfWork())


def state(write_engine, receipt_id: str, payment_id: str):
    with write_engine.connect() as connection:
        return connection.execute(
            text(
                """
            SELECT r.status AS receipt, p.status AS payment, l.payment_id, l.match_rule, p.receipt_id,
                   r.version AS receipt_version, p.version AS payment_version
            FROM receipts r JOIN receipt_card_payments l ON l.receipt_id = r.id, payments p
            WHERE r.id = :receipt AND p.id = :payment
            """
            ),
            {"receipt": receipt_id, "payment": payment_id},
        ).one()


@pytest.mark.parametrize("first", ["receipt", "payment"])
def test_a_receipt_and_its_payment_match_in_either_order(submit, write_engine, first):
    pan = random_pan()
    submit_receipt, submit_payment = submit
    if first == "receipt":
        receipt_id = submit_receipt(pan=pan)
        assert match_event("receipt", receipt_id).lines_matched == 0
        payment_id = submit_payment(pan=pan)
        outcome = match_event("payment", payment_id)
    else:
        payment_id = submit_payment(pan=pan)
        assert match_event("payment", payment_id).lines_matched == 0
        receipt_id = submit_receipt(pan=pan)
        outcome = match_event("receipt", receipt_id)
    assert (outcome.lines_matched, outcome.receipts_matched) == (1, 1)
    row = state(write_engine, receipt_id, payment_id)
    assert (row.receipt, row.payment, str(row.payment_id), row.match_rule) == (
        "matched",
        "matched",
        payment_id,
        "exact",
    )
    assert str(row.receipt_id) == receipt_id and (row.receipt_version, row.payment_version) == (2, 2)
    assert {event.type for event in outcome.events} == {events.RECEIPT_MATCHED, events.PAYMENT_MATCHED}


def test_a_batch_of_events_matches_each_pair_once_in_one_transaction(submit, write_engine):
    """The trigger delivers several events at once: pairs whose both sides are in the
    batch, pairs whose other side was there before, look-alikes and strangers."""
    submit_receipt, submit_payment = submit
    both, earlier, stranger, alike = random_pan(), random_pan(), random_pan(), random_pan()
    pair_in_batch = submit_receipt(pan=both), submit_payment(pan=both)
    earlier_receipt = submit_receipt(pan=earlier)
    earlier_payment = submit_payment(pan=earlier)
    lonely = submit_receipt(pan=stranger)
    look_alikes = [submit_receipt(pan=alike), submit_receipt(pan=alike)]
    alike_payment = submit_payment(pan=alike)
    batch = [
        {"id": str(uuid.uuid4()), "type": events.RECEIPT_SUBMITTED, "subject": receipt_id}
        for receipt_id in (pair_in_batch[0], lonely, *look_alikes)
    ] + [
        {"id": str(uuid.uuid4()), "type": event_type, "subject": payment_id}
        for event_type, payment_id in (
            (events.PAYMENT_SUBMITTED, pair_in_batch[1]),
            (events.PAYMENT_SUBMITTED, earlier_payment),
            (events.PAYMENT_SUBMITTED, alike_payment),
            ("receipts.merchant.registered.v1", str(uuid.uuid4())),
        )
    ]

    outcome = services.match_submissions(batch, UnitOfWork())

    assert (outcome.lines_matched, outcome.receipts_matched, outcome.ambiguous_items) == (2, 2, 3)
    assert state(write_engine, *pair_in_batch)[:3] == ("matched", "matched", uuid.UUID(pair_in_batch[1]))
    assert state(write_engine, earlier_receipt, earlier_payment)[:3] == (
        "matched",
        "matched",
        uuid.UUID(earlier_payment),
    )
    assert state(write_engine, lonely, alike_payment)[:2] == ("unmatched", "ambiguous")
    assert {state(write_engine, receipt_id, alike_payment).receipt for receipt_id in look_alikes} == {"ambiguous"}
    matched = [event for event in outcome.events if event.type == events.PAYMENT_MATCHED]
    assert sorted(str(event.subject) for event in matched) == sorted([pair_in_batch[1], earlier_payment])
    assert match_event("payment", pair_in_batch[1]).lines_matched == 0  # redelivered: nothing twice


def test_the_match_events_carry_the_new_state(submit, bank):
    pan = random_pan()
    submit_receipt, submit_payment = submit
    receipt_id = submit_receipt(pan=pan)
    payment_id = submit_payment(pan=pan)
    outcome = match_event("payment", payment_id)
    by_type = {event.type: event for event in outcome.events}
    receipt = by_type[events.RECEIPT_MATCHED]
    assert str(receipt.subject) == receipt_id
    assert receipt.data["status"] == "matched" and receipt.data["version"] == 2
    assert receipt.data["bank_ids"] == [bank["id"]] and receipt.data["lines"][0]["description"] == "Espresso"
    payment = by_type[events.PAYMENT_MATCHED]
    assert payment.data["receipt_id"] == receipt_id and payment.data["masked_pan"] == mask(pan)
    assert pan not in json.dumps(payment.data)


def test_split_tender_matches_when_every_card_line_is_matched(submit, write_engine):
    first, second = random_pan(), random_pan()
    submit_receipt, submit_payment = submit
    receipt_id = submit_receipt(
        payments=[card_line(first, amount=500), card_line(second, amount=320, auth_code="Z9Y8X7")]
    )
    one = submit_payment(pan=first, amount=500)
    outcome = match_event("payment", one)
    assert (outcome.lines_matched, outcome.receipts_matched) == (1, 0)
    two = submit_payment(pan=second, amount=320, auth_code="Z9Y8X7")
    outcome = match_event("payment", two)
    assert (outcome.lines_matched, outcome.receipts_matched) == (1, 1)
    with write_engine.connect() as connection:
        status = connection.execute(text("SELECT status FROM receipts WHERE id = :id"), {"id": receipt_id}).scalar_one()
    assert status == "matched"


def test_two_receipts_with_the_same_card_data_and_one_payment_match_none(submit, write_engine):
    pan = random_pan()
    submit_receipt, submit_payment = submit
    receipts = [submit_receipt(pan=pan), submit_receipt(pan=pan)]
    payment_id = submit_payment(pan=pan)
    outcome = match_event("payment", payment_id)
    assert outcome.lines_matched == 0 and outcome.ambiguous_items == 3
    with write_engine.connect() as connection:
        recorded = connection.execute(
            text("SELECT item_kind, item_id FROM ambiguities WHERE item_id = ANY(CAST(:ids AS uuid[]))"),
            {"ids": "{" + ",".join([*receipts, payment_id]) + "}"},
        ).all()
    assert sorted((kind, str(item)) for kind, item in recorded) == sorted(
        [("receipt", receipts[0]), ("receipt", receipts[1]), ("payment", payment_id)]
    )
    for receipt in receipts:
        found = state(write_engine, receipt, payment_id)
        assert (found.receipt, found.payment, found.payment_id) == ("ambiguous", "ambiguous", None)
    assert {event.type for event in outcome.events} == {events.RECEIPT_AMBIGUOUS, events.PAYMENT_AMBIGUOUS}


def test_a_newcomer_that_competes_with_an_ambiguous_item_is_ambiguous_too(submit, write_engine):
    pan = random_pan()
    submit_receipt, submit_payment = submit
    receipts = [submit_receipt(pan=pan), submit_receipt(pan=pan)]
    match_event("payment", submit_payment(pan=pan))
    late_payment = submit_payment(pan=pan)
    outcome = match_event("payment", late_payment)
    assert outcome.lines_matched == 0
    assert state(write_engine, receipts[0], late_payment).payment == "ambiguous"


@pytest.mark.parametrize(
    "field, receipt_value, payment_value",
    [
        ("masked_pan", None, None),
        ("auth_code", "A1B2C3", "A1B2C4"),
        ("amount", 820, 821),
        ("currency", "EUR", "USD"),
        ("transaction_date", "2026-11-26", "2026-11-27"),
    ],
)
def test_no_match_when_any_one_key_field_differs(submit, write_engine, field, receipt_value, payment_value):
    pan = random_pan()
    submit_receipt, submit_payment = submit
    if field == "masked_pan":
        payment_id = submit_payment(pan=pan[:-1] + str((int(pan[-1]) + 1) % 10))
        receipt_id = submit_receipt(pan=pan)
    else:
        line = card_line(pan, **{field: receipt_value})
        totals = {"subtotal": 820, "tax": 0, "tip": 0, "total": 820}
        receipt_id = submit_receipt(payments=[line], currency=line["currency"], totals=totals)
        payment_id = submit_payment(pan=pan, **{field: payment_value})
    assert match_event("payment", payment_id).lines_matched == 0
    assert match_event("receipt", receipt_id).lines_matched == 0
    assert state(write_engine, receipt_id, payment_id).payment == "unmatched"


def test_a_refund_never_matches_a_purchase_receipt(submit, write_engine):
    pan = random_pan()
    submit_receipt, submit_payment = submit
    receipt_id = submit_receipt(pan=pan)
    payment_id = submit_payment(pan=pan, kind="refund")
    assert match_event("payment", payment_id).lines_matched == 0
    assert match_event("receipt", receipt_id).lines_matched == 0


def test_parallel_matchers_never_double_claim(submit, write_engine):
    pan = random_pan()
    submit_receipt, submit_payment = submit
    receipt_id = submit_receipt(pan=pan)
    payment_id = submit_payment(pan=pan)
    results, errors = [], []

    def run(kind, item):
        try:
            results.append(match_event(kind, item))
        except Exception as error:  # a lost race surfaces as an error the trigger retries
            errors.append(error)

    threads = [
        threading.Thread(target=run, args=(kind, item))
        for kind, item in [("receipt", receipt_id), ("payment", payment_id)] * 4
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result.lines_matched for result in results) == 1
    assert sum(result.receipts_matched for result in results) == 1
    assert errors == []
    with write_engine.connect() as connection:
        claims = connection.execute(
            text("SELECT count(*) FROM receipt_card_payments WHERE payment_id = :p"), {"p": payment_id}
        ).scalar_one()
    assert claims == 1


def test_a_sweep_matches_everything_open_once(submit, write_engine):
    pans = [random_pan() for _ in range(5)]
    submit_receipt, submit_payment = submit
    pairs = [(submit_receipt(pan=pan), submit_payment(pan=pan)) for pan in pans]
    with UnitOfWork().sweeping() as uow:
        first = uow.matches.sweep()
        uow.commit()
    with UnitOfWork().sweeping() as uow:
        again = uow.matches.sweep()
        uow.commit()
    assert first.lines_matched >= len(pans) and again.lines_matched == 0
    assert all(state(write_engine, r, p).payment == "matched" for r, p in pairs)


def test_an_event_during_a_sweep_is_answered_pending_and_matches_when_retried(submit, write_engine):
    """A sweep holds the matching lock: an event's match does not queue behind it but asks
    to be called again (503, which the trigger retries with backoff), and matches then."""
    pan = random_pan()
    submit_receipt, submit_payment = submit
    receipt_id, payment_id = submit_receipt(pan=pan), submit_payment(pan=pan)
    with write_engine.connect() as sweeping:
        with sweeping.begin():
            sweeping.execute(locks.SWEEP)
            with pytest.raises(DeliveryPending):
                match_event("payment", payment_id)
        assert state(write_engine, receipt_id, payment_id).payment == "unmatched"
    outcome = match_event("payment", payment_id)  # the trigger's retry, once the sweep is done
    assert outcome.lines_matched == 1
    assert state(write_engine, receipt_id, payment_id).payment == "matched"


def test_a_void_racing_its_payments_reversal_never_deadlocks(submit, merchant, bank, write_engine):
    """The till voids a matched sale while the issuer reverses it: each takes the payment
    before the receipt, so neither waits for the other in a cycle (a deadlock PostgreSQL
    would break by failing one). Both end done: the receipt voided, the payment reversed,
    nothing linked."""
    receipt, payment = submit
    owner, issuer = Party("merchant", uuid.UUID(merchant["id"])), Party("bank", uuid.UUID(bank["id"]))
    pairs = []
    for _ in range(12):
        pan, bank_payment_id = random_pan(), f"TXN-{uuid.uuid4().hex[:12]}"
        pairs.append((receipt(payments=[card_line(pan)]), payment(pan=pan, bank_payment_id=bank_payment_id)))
        match_event("payment", pairs[-1][1])
        pairs[-1] += (bank_payment_id,)
    failures = []

    def run(kind, receipt_id, bank_payment_id, barrier):
        barrier.wait()
        for _ in range(100):  # while a sweep holds the lock, called again, as a client does
            try:
                if kind == "void":
                    services.void_receipt(owner, uuid.UUID(receipt_id), UnitOfWork())
                else:
                    services.reverse_payment(Reversal(bank_payment_id=bank_payment_id), issuer, UnitOfWork())
                return
            except ServiceUnavailable:
                time.sleep(0.1)
            except Exception as error:  # reported below: neither may fail
                failures.append(f"{kind}: {error!r}"[:300])
                return

    for receipt_id, _, bank_payment_id in pairs:
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=run, args=(kind, receipt_id, bank_payment_id, barrier))
            for kind in ("void", "reverse")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
    for receipt_id, payment_id, _ in pairs:
        found = state(write_engine, receipt_id, payment_id)
        assert (found.receipt, found.payment, found.payment_id, found.receipt_id) == ("voided", "reversed", None, None)


def test_a_void_waits_out_a_short_sweep_and_is_asked_to_retry_during_a_long_one(submit, merchant, write_engine):
    """A request has no trigger to call it again: it waits for a running sweep a moment
    (locks.SWEEP_WAIT), and answers 503 only if the sweep runs on."""
    submit_receipt, _ = submit
    owner = Party("merchant", uuid.UUID(merchant["id"]))
    short, long = submit_receipt(pan=random_pan()), submit_receipt(pan=random_pan())
    voided = []
    with write_engine.connect() as sweeping:
        with sweeping.begin():
            sweeping.execute(locks.SWEEP)
            waiting = threading.Thread(
                target=lambda: voided.append(services.void_receipt(owner, uuid.UUID(short), UnitOfWork()))
            )
            waiting.start()
            wait_until(
                lambda: waiting_for_sweep_lock(write_engine, shared=True), message="the void waiting for the sweep"
            )
        waiting.join(timeout=10)  # the sweep committed: the void goes on
        assert voided[0].status == "voided"
        with sweeping.begin():
            sweeping.execute(locks.SWEEP)
            with pytest.raises(ServiceUnavailable):
                services.void_receipt(owner, uuid.UUID(long), UnitOfWork())
    with write_engine.connect() as connection:
        status = connection.execute(text("SELECT status FROM receipts WHERE id = :id"), {"id": long}).scalar_one()
    assert status == "unmatched"  # the 503 changed nothing


# Card data as slips print it (SPEC §12): the last 4 digits only, or none but the acquirer's reference.
def last4(pan: str) -> str:
    return "**** **** **** " + pan[-4:]


def reference() -> str:
    """An RRN of its own: a slip without card digits is told apart by nothing else."""
    return str(random.randrange(10**11, 10**12))


@pytest.mark.parametrize("printed", ["last4", "reference"])
def test_a_slip_showing_less_of_the_card_matches_its_payment_on_what_both_carry(submit, write_engine, printed):
    pan, rrn = random_pan(), reference()
    submit_receipt, submit_payment = submit
    line = (
        card_line(pan, masked_pan=last4(pan), rrn=rrn)
        if printed == "last4"
        else {key: value for key, value in card_line(pan, rrn=rrn).items() if key != "masked_pan"}
    )
    receipt_id = submit_receipt(pan=pan, payments=[line])
    payment_id = submit_payment(pan=pan, rrn=rrn)
    outcome = match_event("payment", payment_id)
    assert (outcome.lines_matched, outcome.receipts_matched) == (1, 1)
    row = state(write_engine, receipt_id, payment_id)
    assert (row.receipt, row.payment, row.match_rule) == ("matched", "matched", "exact")


def test_a_last4_slip_with_two_cards_ending_alike_is_ambiguous_never_a_guess(submit, write_engine):
    pan = random_pan()
    look_alike = random_pan()[:-4] + pan[-4:]
    submit_receipt, submit_payment = submit
    payments = [submit_payment(pan=pan), submit_payment(pan=look_alike)]
    receipt_id = submit_receipt(pan=pan, payments=[card_line(pan, masked_pan=last4(pan))])
    outcome = match_event("receipt", receipt_id)
    assert outcome.lines_matched == 0 and outcome.ambiguous_items == 3
    for payment_id in payments:
        row = state(write_engine, receipt_id, payment_id)
        assert (row.receipt, row.payment, row.payment_id) == ("ambiguous", "ambiguous", None)


def test_a_payment_a_full_slip_and_a_slip_without_digits_both_fit_is_ambiguous(submit, write_engine):
    pan, rrn = random_pan(), reference()
    submit_receipt, submit_payment = submit
    full = submit_receipt(pan=pan, payments=[card_line(pan, rrn=rrn)])
    without_digits = submit_receipt(
        pan=pan, payments=[{key: value for key, value in card_line(pan, rrn=rrn).items() if key != "masked_pan"}]
    )
    payment_id = submit_payment(pan=pan, rrn=rrn)
    assert match_event("payment", payment_id).lines_matched == 0
    assert (
        state(write_engine, full, payment_id).receipt,
        state(write_engine, without_digits, payment_id).receipt,
        state(write_engine, full, payment_id).payment,
    ) == ("ambiguous", "ambiguous", "ambiguous")


def test_a_void_racing_a_match_never_leaves_a_half_linked_pair(submit, merchant, write_engine):
    """A receipt voided while its payment's match runs: either the match comes first and
    the void undoes it (the payment open again), or the void comes first and nothing is
    matched. Never a voided receipt with a claimed line, nor a matched payment without one."""
    receipt, payment = submit
    owner = Party("merchant", uuid.UUID(merchant["id"]))
    pairs = []
    for _ in range(12):
        pan = random_pan()
        pairs.append((receipt(payments=[card_line(pan)]), payment(pan=pan)))
    outcomes = {"void": [], "match": []}

    def run(kind, receipt_id, payment_id, barrier):
        barrier.wait()
        for _ in range(100):  # while a sweep holds the lock, called again, as the trigger and a client do
            try:
                if kind == "void":
                    services.void_receipt(owner, uuid.UUID(receipt_id), UnitOfWork())
                else:
                    match_event("payment", payment_id)
                outcomes[kind].append("done")
                return
            except (DeliveryPending, ServiceUnavailable):
                time.sleep(0.1)

    for receipt_id, payment_id in pairs:
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=run, args=(kind, receipt_id, payment_id, barrier)) for kind in outcomes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert outcomes == {"void": ["done"] * len(pairs), "match": ["done"] * len(pairs)}

    with write_engine.connect() as connection:
        rows = connection.execute(
            text(
                """
                SELECT r.status AS receipt, p.status AS payment, p.receipt_id, l.payment_id AS claimed
                FROM receipts r JOIN receipt_card_payments l ON l.receipt_id = r.id, payments p
                WHERE (r.id, p.id) IN (SELECT CAST(a AS uuid), CAST(b AS uuid)
                                       FROM unnest(CAST(:receipts AS text[]), CAST(:payments AS text[])) AS x(a, b))
                """
            ),
            {"receipts": [r for r, _ in pairs], "payments": [p for _, p in pairs]},
        ).all()
    assert len(rows) == len(pairs)
    assert {(row.receipt, row.payment, row.receipt_id, row.claimed) for row in rows} == {
        ("voided", "unmatched", None, None)
    }
