"""Payments as the card networks carry them, through make run's platform (SPEC §14): a
wallet's token digits on the slip, the account's PAR, cashback, conversion at the till
(DCC), a slip with the last 4 digits only, voids and reversals."""

import json
import random
import uuid

from sqlalchemy import text

from shared.platform.db import write_engine
from shared.write import services
from shared.write.unit_of_work import UnitOfWork
from tests.e2e.pairs import Flow
from tests.e2e.test_read_api import register, submit_payment, submit_receipt
from tests.integration.test_callbacks import Receiver
from tests.support import ADMIN_API_KEY, bearer, mask, par, random_pan, receipt_body, remember, token_pan, wait_until


def card_line(**fields) -> dict:
    return receipt_body()["payments"][0] | fields


def statement_item(http, platform, bank, account_ref: str) -> dict:
    """The bank's statement line of its one payment on account_ref, once it has its receipt."""

    def matched():
        response = http.get(f"{platform.url}/v1/accounts/{account_ref}/payments", headers=bearer(bank["api_key"]))
        items = response.json().get("items", []) if response.status_code == 200 else []
        return items[0] if items and items[0]["receipt"] else None

    return wait_until(matched, timeout=30, message=f"the receipt on {account_ref}'s statement")


def statuses(receipt_id: str, *payment_ids: str) -> list[str]:
    """The receipt's and the payments' statuses in the write model, in that order."""
    with write_engine().connect() as connection:
        receipt = connection.execute(text("SELECT status FROM receipts WHERE id = :id"), {"id": receipt_id})
        found = [receipt.scalar_one()]
        for payment_id in payment_ids:
            payment = connection.execute(text("SELECT status FROM payments WHERE id = :id"), {"id": payment_id})
            found.append(payment.scalar_one())
    return found


def look_up(http, platform, bank, **card):
    body = {"amount": 820, "currency": "EUR", "transaction_date": "2026-11-26", "auth_code": "A1B2C3"} | card
    return http.post(f"{platform.url}/v1/receipts/lookup", json=body, headers=bearer(bank["api_key"]))


def test_a_wallet_slip_matches_the_payment_that_reports_its_token(platform, http):
    merchant, bank = register(http, platform, "merchant"), register(http, platform, "bank")
    card, token = random_pan(), token_pan()
    receipt = submit_receipt(http, platform, merchant, payments=[card_line(masked_pan=mask(token), wallet="apple_pay")])
    account = f"acct-{uuid.uuid4().hex[:8]}"
    submit_payment(http, platform, bank, pan=card, account_ref=account, token={"pan": token, "wallet": "apple_pay"})

    item = statement_item(http, platform, bank, account)
    assert item["receipt"]["id"] == receipt["id"]
    assert (item["match_rule"], item["card_key"]) == ("exact", "token")
    assert item["token"] == {"masked_pan": mask(token), "wallet": "apple_pay"}
    assert item["receipt"]["payments"][0]["wallet"] == "apple_pay"
    assert token not in str(item) and card not in str(item)

    # The bank asks with the card's number: the receipt is found through the token.
    found = look_up(http, platform, bank, pan=card)
    assert found.status_code == 200, found.text
    assert found.json()["receipt"]["id"] == receipt["id"]
    assert look_up(http, platform, bank, pan=random_pan()).status_code == 404


def test_a_slip_with_the_accounts_par_matches_whatever_digits_it_prints(platform, http):
    merchant, bank = register(http, platform, "merchant"), register(http, platform, "bank")
    card, token, account_par = random_pan(), token_pan(), par()
    receipt = submit_receipt(
        http, platform, merchant, payments=[card_line(masked_pan=mask(token), wallet="google_pay", par=account_par)]
    )
    account = f"acct-{uuid.uuid4().hex[:8]}"
    submit_payment(http, platform, bank, pan=card, account_ref=account, par=account_par)

    item = statement_item(http, platform, bank, account)
    assert item["receipt"]["id"] == receipt["id"] and item["card_key"] == "par"
    # Found by the card's number (through the PAR the bank's payment carries), or by the PAR
    # with a number the bank never reported.
    assert look_up(http, platform, bank, pan=card).json()["receipt"]["id"] == receipt["id"]
    found = look_up(http, platform, bank, pan=random_pan(), par=account_par)
    assert found.status_code == 200 and found.json()["receipt"]["id"] == receipt["id"]


def test_another_par_rules_a_pair_out_whatever_the_digits(platform, http):
    merchant, bank = register(http, platform, "merchant"), register(http, platform, "bank")
    card = random_pan()
    receipt = submit_receipt(http, platform, merchant, payments=[card_line(masked_pan=mask(card), par=par())])
    payment = submit_payment(http, platform, bank, pan=card, par=par())
    services.reconcile(UnitOfWork())
    assert statuses(receipt["id"], payment["id"]) == ["unmatched", "unmatched"]


def test_a_converted_card_line_with_cashback_matches_the_charge_in_the_cardholders_currency(platform, http):
    merchant, bank = register(http, platform, "merchant"), register(http, platform, "bank")
    card = random_pan()
    line = card_line(
        masked_pan=mask(card),
        amount=2820,
        cashback=2000,
        dcc={"currency": "SEK", "amount": 32330, "exchange_rate": "11.4645", "markup_percent": "3.5"},
    )
    receipt = submit_receipt(http, platform, merchant, payments=[line])
    account = f"acct-{uuid.uuid4().hex[:8]}"
    submit_payment(
        http, platform, bank, pan=card, account_ref=account, amount=32330, currency="SEK", cashback_amount=22928
    )

    item = statement_item(http, platform, bank, account)
    assert item["receipt"]["id"] == receipt["id"] and item["card_key"] == "pan"
    assert item["cashback_amount"] == 22928 and item["receipt"]["payments"][0]["dcc"]["amount"] == 32330
    found = look_up(http, platform, bank, pan=card, amount=32330, currency="SEK")
    assert found.json()["receipt"]["id"] == receipt["id"]


def one_item_receipt(http, platform, merchant, paid_by: dict) -> dict:
    """A receipt of one item at the card line's amount."""
    amount = paid_by["amount"]
    return submit_receipt(
        http,
        platform,
        merchant,
        lines=[{"description": "Item", "quantity": 1, "unit_price": amount, "amount": amount}],
        totals={"subtotal": amount, "tax": 0, "tip": 0, "total": amount},
        payments=[paid_by],
    )


def test_a_slip_with_the_last_4_only_matches_a_unique_payment_and_lists_look_alikes(platform, http):
    merchant, bank = register(http, platform, "merchant"), register(http, platform, "bank")
    card = random_pan()
    printed = {"masked_pan": "************" + card[-4:], "auth_code": None, "rrn": None, "amount": 1337}
    alone = one_item_receipt(http, platform, merchant, card_line(**printed))
    payment = submit_payment(http, platform, bank, pan=card, amount=1337)
    services.reconcile(UnitOfWork())
    assert statuses(alone["id"], payment["id"]) == ["matched", "matched"]

    # Two payments of cards with the same last 4: the next such slip is a look-alike, never a guess.
    twin = card[:6] + "".join(random.choices("0123456789", k=6)) + card[-4:]
    remember(twin)
    again = dict(printed, transaction_date="2026-11-27")
    receipt = one_item_receipt(http, platform, merchant, card_line(**again))
    payments = [
        submit_payment(http, platform, bank, pan=pan, amount=1337, transaction_date="2026-11-27")["id"]
        for pan in (card, twin)
    ]
    services.reconcile(UnitOfWork())
    assert statuses(receipt["id"], *payments) == ["ambiguous"] * 3


# -- voids and reversals ------------------------------------------------------------------------


def matched_pair(platform, http) -> tuple[dict, dict, Receiver, str, str, dict, dict]:
    """A receipt and its payment, matched, between a merchant and a bank whose callbacks a
    receiver takes: (merchant, bank, receiver, card, account_ref, receipt, payment)."""
    flow = Flow(platform)
    merchant, bank = flow.parties["merchant"], flow.parties["bank"]
    card, account = random_pan(), f"acct-{uuid.uuid4().hex[:8]}"
    receipt = submit_receipt(http, platform, merchant, pan=card)
    payment = submit_payment(http, platform, bank, pan=card, account_ref=account)
    bank_callbacks(flow.receiver, "receipt.matched")
    return merchant, bank, flow.receiver, card, account, receipt, payment


def bank_callbacks(receiver: Receiver, kind: str, count: int = 1) -> list[dict]:
    def arrived():
        found = [json.loads(body) for path, _, body in receiver.delivered if path == "/bank"]
        found = [callback for callback in found if callback["type"] == kind]
        return found if len(found) >= count else None

    return wait_until(arrived, timeout=30, message=f"the bank's {kind} callback")


def test_a_voided_receipt_leaves_the_statement_and_its_payment_is_matched_again(platform, http):
    merchant, bank, receiver, card, account, receipt, payment = matched_pair(platform, http)

    void = f"{platform.url}/v1/receipts/{receipt['id']}/void"
    for _ in range(2):  # the same again changes nothing
        answer = http.post(void, headers=bearer(merchant["api_key"]))
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "voided"
    other = register(http, platform, "merchant")
    assert http.post(void, headers=bearer(other["api_key"])).status_code == 404
    assert (
        http.post(f"{platform.url}/v1/receipts/{uuid.uuid4()}/void", headers=bearer(merchant["api_key"])).status_code
        == 404
    )

    [voided] = bank_callbacks(receiver, "receipt.voided")
    assert voided["data"]["payment_id"] == payment["id"]
    assert voided["data"]["receipt_id"] == receipt["id"]
    assert voided["data"]["bank_payment_id"]
    assert statuses(receipt["id"], payment["id"]) == ["voided", "unmatched"]

    # The till prints the sale again: the payment, open again, is matched to the new receipt.
    again = submit_receipt(http, platform, merchant, pan=card)
    wait_until(
        lambda: statement_item(http, platform, bank, account)["receipt"]["id"] == again["id"],
        message="the new receipt on the statement",
    )
    url = f"{platform.url}/v1/receipts/{receipt['id']}"
    wait_until(
        lambda: http.get(url, headers=bearer(merchant["api_key"])).json()["status"] == "voided",
        message="the voided receipt in the read model",
    )


def test_a_reversal_in_full_undoes_the_match_and_shows_on_the_statement(platform, http):
    merchant, bank, receiver, card, account, receipt, payment = matched_pair(platform, http)

    reversal = {"bank_payment_id": payment["bank_payment_id"]}
    for _ in range(2):  # the same again changes nothing
        answer = http.post(f"{platform.url}/v1/payments/reversals", json=reversal, headers=bearer(bank["api_key"]))
        assert answer.status_code == 200, answer.text
        assert (answer.json()["status"], answer.json()["receipt_id"]) == ("reversed", None)
    [unlinked] = bank_callbacks(receiver, "receipt.unlinked")
    assert unlinked["data"]["reason"] == "reversal" and unlinked["data"]["receipt_id"] == receipt["id"]
    assert statuses(receipt["id"], payment["id"]) == ["unmatched", "reversed"]

    def reversed_on_statement():
        response = http.get(f"{platform.url}/v1/accounts/{account}/payments", headers=bearer(bank["api_key"]))
        items = response.json().get("items", [])
        return items if items and items[0]["status"] == "reversed" else None

    [item] = wait_until(reversed_on_statement, timeout=30, message="the reversal on the statement")
    assert item["receipt"] is None
    other = register(http, platform, "bank")
    answer = http.post(f"{platform.url}/v1/payments/reversals", json=reversal, headers=bearer(other["api_key"]))
    assert answer.status_code == 404
    # Not even the operator matches a reversed payment.
    settle = http.post(
        f"{platform.url}/v1/admin/matches",
        json={"receipt_id": receipt["id"], "payment_id": payment["id"]},
        headers=bearer(ADMIN_API_KEY),
    )
    assert settle.status_code == 422 and settle.json()["error"]["details"][0]["code"] == "payment_reversed"
    # Nor does a clearing bring it back.
    clearing = {"bank_payment_id": payment["bank_payment_id"], "amount": 900, "currency": "EUR"}
    cleared = http.post(f"{platform.url}/v1/payments/clearing", json=clearing, headers=bearer(bank["api_key"]))
    assert cleared.status_code == 422 and cleared.json()["error"]["details"][0]["code"] == "payment_reversed"
    assert statuses(receipt["id"], payment["id"]) == ["unmatched", "reversed"]


def test_a_partial_reversal_is_applied_once_per_reversal_id(platform, http):
    merchant, bank, receiver, card, _, receipt, payment = matched_pair(platform, http)
    url = f"{platform.url}/v1/payments/reversals"
    partial = {"bank_payment_id": payment["bank_payment_id"], "amount": 320}

    refused = http.post(url, json=partial, headers=bearer(bank["api_key"]))
    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["code"] == "reversal_id_required"
    too_much = http.post(url, json=partial | {"amount": 821, "reversal_id": "R-big"}, headers=bearer(bank["api_key"]))
    assert too_much.status_code == 422, too_much.text
    for _ in range(2):  # the same reversal_id again changes nothing
        answer = http.post(url, json=partial | {"reversal_id": "R-1"}, headers=bearer(bank["api_key"]))
        assert answer.status_code == 200, answer.text
        assert (answer.json()["amount"], answer.json()["authorised_amount"]) == (500, 820)
    replayed = http.post(url, json=partial | {"reversal_id": "R-1", "amount": 300}, headers=bearer(bank["api_key"]))
    assert replayed.status_code == 409, replayed.text
    # 5.00 no longer pays the receipt's 8.20: the match is undone, the bank told why.
    assert answer.json()["status"] == "unmatched"
    [unlinked] = bank_callbacks(receiver, "receipt.unlinked")
    assert (unlinked["data"]["reason"], unlinked["data"]["amount"]) == ("reversal", 500)
    assert statuses(receipt["id"], payment["id"]) == ["unmatched", "unmatched"]
