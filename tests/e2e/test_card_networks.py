"""Payments as the card networks carry them, through make run's platform (SPEC §14): a
wallet's token digits on the slip, the account's PAR, cashback, conversion at the till
(DCC), and a slip with the last 4 digits only."""

import random
import uuid

from sqlalchemy import text

from shared.platform.db import write_engine
from shared.write import services
from shared.write.unit_of_work import UnitOfWork
from tests.e2e.test_read_api import register, submit_payment, submit_receipt
from tests.support import bearer, mask, random_pan, receipt_body, remember, wait_until


def token_pan() -> str:
    """A device account number: a token BIN of its own, never the card's."""
    pan = "489537" + "".join(random.choices("0123456789", k=10))
    remember(pan)
    return pan


def par() -> str:
    return "V001" + uuid.uuid4().hex[:25].upper()


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


def test_a_slip_with_the_last_4_only_matches_a_unique_payment_and_lists_look_alikes(platform, http):
    merchant, bank = register(http, platform, "merchant"), register(http, platform, "bank")
    card = random_pan()
    printed = {"masked_pan": "************" + card[-4:], "auth_code": None, "rrn": None, "amount": 1337}
    alone = submit_receipt(
        http,
        platform,
        merchant,
        lines=[{"description": "Item", "quantity": 1, "unit_price": 1337, "amount": 1337}],
        totals={"subtotal": 1337, "tax": 0, "tip": 0, "total": 1337},
        payments=[card_line(**printed)],
    )
    payment = submit_payment(http, platform, bank, pan=card, amount=1337)
    services.reconcile(UnitOfWork())
    assert statuses(alone["id"], payment["id"]) == ["matched", "matched"]

    # Two payments of cards with the same last 4: the next such slip is a look-alike, never a guess.
    twin = card[:6] + "".join(random.choices("0123456789", k=6)) + card[-4:]
    remember(twin)
    again = dict(printed, transaction_date="2026-11-27")
    receipt = submit_receipt(
        http,
        platform,
        merchant,
        lines=[{"description": "Item", "quantity": 1, "unit_price": 1337, "amount": 1337}],
        totals={"subtotal": 1337, "tax": 0, "tip": 0, "total": 1337},
        payments=[card_line(**again)],
    )
    payments = [
        submit_payment(http, platform, bank, pan=pan, amount=1337, transaction_date="2026-11-27")["id"]
        for pan in (card, twin)
    ]
    services.reconcile(UnitOfWork())
    assert statuses(receipt["id"], *payments) == ["ambiguous"] * 3
