"""The service layer against a unit of work in memory (tests/fakes.py): what each command
decides, without PostgreSQL. The same commands run on the real write model in
tests/integration and tests/functions."""

from __future__ import annotations

import json
import uuid

import pytest

from shared.domain import events
from shared.domain.errors import (
    AlreadyMatched,
    DeliveryPending,
    IdempotencyConflict,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
)
from shared.domain.parties import OPERATOR, Party, PartyRegistration
from shared.domain.payments import Clearing, PaymentSubmission
from shared.domain.receipts import ReceiptSubmission
from shared.domain.settlement import ManualMatch
from shared.write import services
from tests.fakes import FakeUnitOfWork, Store
from tests.support import payment_body, random_pan, receipt_body

MERCHANT, BANK = Party("merchant", uuid.uuid4()), Party("bank", uuid.uuid4())


def receipt(**fields) -> ReceiptSubmission:
    return ReceiptSubmission.model_validate_json(json.dumps(receipt_body(**fields)))


def payment(**fields) -> PaymentSubmission:
    return PaymentSubmission.model_validate_json(json.dumps(payment_body(**fields)))


def matched_pair(store: Store, pan: str, amount: int = 820) -> tuple[str, str, str]:
    """A receipt and a payment of pan, matched by the event path: (receipt id, payment id, bank_payment_id)."""
    accepted, _ = services.submit_receipt(receipt(pan=pan), MERCHANT, FakeUnitOfWork(store))
    sent = payment(pan=pan, amount=amount)
    paid, _ = services.submit_payment(sent, BANK, FakeUnitOfWork(store))
    outcome = services.match_submissions(
        [{"id": str(uuid.uuid4()), "type": events.PAYMENT_SUBMITTED, "subject": paid.id}], FakeUnitOfWork(store)
    )
    assert outcome is not None and outcome.lines_matched == 1
    return accepted.id, paid.id, sent.bank_payment_id


def clear(store: Store, bank_payment_id: str, amount: int, currency: str = "EUR", uow=None):
    final = Clearing(bank_payment_id=bank_payment_id, amount=amount, currency=currency)
    return services.clear_payment(final, BANK, uow or FakeUnitOfWork(store))


def test_a_receipt_is_stored_once_and_a_replay_answers_what_was_stored():
    store, sent = Store(), receipt()
    first, created = services.submit_receipt(sent, MERCHANT, FakeUnitOfWork(store))
    again, created_again = services.submit_receipt(sent, MERCHANT, FakeUnitOfWork(store))
    assert (created, created_again, again.id) == (True, False, first.id)
    assert [event.type for event in store.events] == [events.RECEIPT_SUBMITTED]


def test_the_same_receipt_id_with_another_body_is_a_conflict_and_records_nothing():
    store, sent = Store(), receipt()
    services.submit_receipt(sent, MERCHANT, FakeUnitOfWork(store))
    changed = sent.model_copy(update={"issued_at": sent.issued_at.replace(minute=0)})
    uow = FakeUnitOfWork(store)
    with pytest.raises(IdempotencyConflict):
        services.submit_receipt(changed, MERCHANT, uow)
    assert not uow.committed and len(store.events) == 1


def test_a_refund_of_a_receipt_the_merchant_never_sent_is_refused():
    uow = FakeUnitOfWork()
    with pytest.raises(ValidationFailed) as refused:
        services.submit_receipt(receipt(refund_of=str(uuid.uuid4())), MERCHANT, uow)
    assert [violation.code for violation in refused.value.details] == ["refund_of_unknown"]
    assert not uow.committed and uow.store.receipts == {}


def test_an_events_match_while_a_sweep_runs_is_deferred_for_the_trigger_to_retry():
    store = Store(sweeping=True)
    paid, _ = services.submit_payment(payment(), BANK, FakeUnitOfWork(store))
    with pytest.raises(DeliveryPending):
        services.match_submissions(
            [{"id": "e1", "type": events.PAYMENT_SUBMITTED, "subject": paid.id}], FakeUnitOfWork(store)
        )


def test_events_that_announce_no_receipt_or_payment_match_nothing():
    assert (
        services.match_submissions(
            [{"id": "e1", "type": events.MERCHANT_REGISTERED, "subject": str(uuid.uuid4())}], FakeUnitOfWork()
        )
        is None
    )


def test_a_final_amount_with_a_tip_within_the_share_keeps_the_match():
    store = Store()
    receipt_id, payment_id, bank_payment_id = matched_pair(store, random_pan())
    cleared = clear(store, bank_payment_id, 820 + 200)
    assert (cleared.status, cleared.receipt_id, cleared.authorised_amount) == ("matched", receipt_id, 820)
    assert store.callbacks == []


def test_a_final_amount_the_receipt_does_not_pay_releases_the_match_and_tells_the_bank():
    store = Store()
    receipt_id, payment_id, bank_payment_id = matched_pair(store, random_pan())
    cleared = clear(store, bank_payment_id, 820 + 206)
    assert (cleared.status, cleared.receipt_id, cleared.amount) == ("unmatched", None, 1026)
    assert [(callback["reason"], str(callback["receipt_id"]), callback["amount"]) for callback in store.callbacks] == [
        ("clearing", receipt_id, 1026)
    ]


def test_the_same_final_amount_again_changes_nothing():
    store = Store()
    _, _, bank_payment_id = matched_pair(store, random_pan())
    uow = FakeUnitOfWork(store)
    cleared = clear(store, bank_payment_id, 820, uow=uow)
    assert cleared.status == "matched" and not uow.committed


def test_a_clearing_in_another_currency_or_of_no_payment_is_refused():
    store = Store()
    _, _, bank_payment_id = matched_pair(store, random_pan())
    with pytest.raises(ValidationFailed):
        clear(store, bank_payment_id, 900, "SEK")
    with pytest.raises(NotFound):
        clear(store, "nope", 900)


def test_a_party_is_registered_once_under_a_chosen_id():
    store, chosen = Store(), uuid.uuid4()
    registration = PartyRegistration(name="Cafe", callback_url="http://127.0.0.1:9/callbacks")
    credentials = services.register_party("merchant", registration, OPERATOR, FakeUnitOfWork(store), chosen)
    assert credentials is not None and credentials.api_key.startswith("rcpt_mk_")
    assert services.register_party("merchant", registration, OPERATOR, FakeUnitOfWork(store), chosen) is None
    assert [event.type for event in store.events] == [events.MERCHANT_REGISTERED]


def test_look_alike_payments_are_left_ambiguous_and_neither_is_claimed():
    store, pan = Store(), random_pan()
    services.submit_receipt(receipt(pan=pan), MERCHANT, FakeUnitOfWork(store))
    paid = [services.submit_payment(payment(pan=pan), BANK, FakeUnitOfWork(store))[0] for _ in range(2)]
    outcome = services.match_submissions(
        [{"id": str(uuid.uuid4()), "type": events.PAYMENT_SUBMITTED, "subject": one.id} for one in paid],
        FakeUnitOfWork(store),
    )
    assert outcome is not None and (outcome.lines_matched, outcome.ambiguous_items) == (0, 3)
    assert {payment.status for payment in store.payments.values()} == {"ambiguous"}


def settle(store: Store, receipt_id, payment_id, line_no=None) -> dict:
    match = ManualMatch(receipt_id=uuid.UUID(receipt_id), payment_id=uuid.UUID(payment_id), line_no=line_no)
    return services.settle_match(match, OPERATOR, FakeUnitOfWork(store))


def test_the_operator_matches_a_pair_by_hand_once():
    store, pan = Store(), random_pan()
    accepted, _ = services.submit_receipt(receipt(pan=pan), MERCHANT, FakeUnitOfWork(store))
    paid, _ = services.submit_payment(payment(pan=pan, auth_code="ZZ9999"), BANK, FakeUnitOfWork(store))
    assert settle(store, accepted.id, paid.id) == {
        "receipt_id": accepted.id,
        "payment_id": paid.id,
        "match_rule": "manual",
    }
    assert store.events[-1].type == events.MATCH_SETTLED
    with pytest.raises(AlreadyMatched):
        settle(store, accepted.id, paid.id)


def test_a_pair_in_another_currency_or_a_receipt_with_two_open_lines_is_not_settled():
    store, pan = Store(), random_pan()
    accepted, _ = services.submit_receipt(receipt(pan=pan), MERCHANT, FakeUnitOfWork(store))
    sek, _ = services.submit_payment(payment(pan=pan, currency="SEK"), BANK, FakeUnitOfWork(store))
    with pytest.raises(ValidationFailed) as refused:
        settle(store, accepted.id, sek.id)
    assert [violation.code for violation in refused.value.details] == ["currency_mismatch"]
    with pytest.raises(ValidationFailed) as refused:
        settle(store, accepted.id, sek.id, line_no=2)
    assert [violation.code for violation in refused.value.details] == ["unknown_line"]


def test_while_a_sweep_runs_the_operator_is_asked_to_retry():
    store = Store(sweeping=True)
    with pytest.raises(ServiceUnavailable):
        settle(store, str(uuid.uuid4()), str(uuid.uuid4()))
    with pytest.raises(ServiceUnavailable):
        services.unlink_match(uuid.uuid4(), OPERATOR, FakeUnitOfWork(store))


def test_an_unlinked_pair_is_told_to_the_bank_and_never_matched_again_by_itself():
    store, pan = Store(), random_pan()
    receipt_id, payment_id, _ = matched_pair(store, pan)
    view = services.unlink_match(uuid.UUID(payment_id), OPERATOR, FakeUnitOfWork(store))
    assert (view["status"], view["match_rule"]) == ("unlinked", "exact")
    assert [(callback["reason"], str(callback["receipt_id"])) for callback in store.callbacks] == [
        ("operator", receipt_id)
    ]
    assert store.events[-1].type == events.MATCH_UNLINKED
    again = services.match_submissions(
        [{"id": "e1", "type": events.PAYMENT_SUBMITTED, "subject": payment_id}], FakeUnitOfWork(store)
    )
    assert again is not None and again.lines_matched == 0
    with pytest.raises(NotFound):
        services.unlink_match(uuid.UUID(payment_id), OPERATOR, FakeUnitOfWork(store))
