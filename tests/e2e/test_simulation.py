"""The simulated parties through make run's platform: a checkout at the POS goes through
the processor (ISO 8583 0200) and the issuer (0210, payment reported), the receipt is
submitted, matched, and both simulated receivers keep their verified callback; each way a
cardholder pays (a card, a phone wallet, cashback, DCC, a sale voided and reversed) ends on
the bank's statement as it should."""

import uuid

import pytest
from sqlalchemy import create_engine, text

from shared.platform.dialect import prepared_url
from tests.conftest import TEST_ENV
from tests.support import ADMIN_API_KEY, bearer, remember, wait_until


def onboard_simulated_parties(http, platform) -> dict:
    parties = {}
    for kind in ("merchant", "bank"):
        party = http.post(
            f"{platform.url}/v1/admin/{kind}s",
            headers=bearer(ADMIN_API_KEY),
            json={"name": f"simulated {kind}", "callback_url": f"{platform.url}/sim/{kind}/callbacks"},
        ).json()
        remember(party["api_key"], party["webhook_secret"])
        response = http.post(
            f"{platform.url}/sim/parties",
            headers=bearer(ADMIN_API_KEY),
            json={
                "kind": kind,
                "id": party["id"],
                "api_key": party["api_key"],
                "webhook_secret": party["webhook_secret"],
            },
        )
        assert response.status_code == 200, response.text
        parties[kind] = party
    return parties


def test_a_simulated_checkout_ends_with_both_callbacks_kept(platform, http):
    onboard_simulated_parties(http, platform)
    response = http.post(f"{platform.url}/sim/checkout", json={"account_ref": "acct-sim-1", "scenario": "card"})
    assert response.status_code == 201, response.text
    checkout = response.json()
    assert checkout["approved"] and len(checkout["auth_code"]) == 6 and len(checkout["rrn"]) == 12

    def statement():
        payments = http.get(f"{platform.url}/sim/bank/accounts/acct-sim-1").json()["payments"]
        return payments or None

    [payment] = wait_until(statement, message="the bank's callback at the simulated bank")
    assert payment["receipt"]["id"] == checkout["receipt_id"]
    assert payment["receipt"]["totals"]["total"] == checkout["total"]
    assert payment["receipt"]["payments"][0]["auth_code"] == checkout["auth_code"]
    engine = create_engine(prepared_url(TEST_ENV["SIM_DATABASE_URL"]))
    with engine.connect() as connection:
        kept = wait_until(
            lambda: (
                connection.execute(
                    text("SELECT party_kind FROM sim_callbacks WHERE receipt_id = :id ORDER BY party_kind"),
                    {"id": checkout["receipt_id"]},
                )
                .scalars()
                .all()
                == ["bank", "merchant"]
                or None
            ),
            message="the merchant's callback",
        )
    engine.dispose()
    assert kept


# What established the card, by how the slip printed it: its digits (or the wallet token's),
# or none of them but the acquirer's reference (about one slip in sixteen).
@pytest.mark.parametrize(
    ("scenario", "card_keys"),
    [
        ("wallet", {"token", "reference"}),
        ("wallet_par", {"par"}),
        ("cashback", {"pan", "reference"}),
        ("dcc", {"pan", "reference"}),
        ("void", {None}),
    ],
)
def test_each_way_a_cardholder_pays_ends_on_the_statement_as_it_should(platform, http, scenario, card_keys):
    bank = onboard_simulated_parties(http, platform)["bank"]
    account = f"acct-sim-{scenario}-{uuid.uuid4().hex[:6]}"
    response = http.post(
        f"{platform.url}/sim/checkout", json={"account_ref": account, "scenario": scenario, "format": "json"}
    )
    assert response.status_code == 201, response.text
    checkout = response.json()
    assert checkout["scenario"] == scenario
    expected = "reversed" if scenario == "void" else "matched"

    def settled():
        url = f"{platform.url}/v1/accounts/{checkout['account_ref']}/payments"
        items = http.get(url, headers=bearer(bank["api_key"])).json().get("items", [])
        return items[0] if items and items[0]["status"] == expected else None

    item = wait_until(settled, message=f"the {scenario} checkout's payment {expected} on the statement")
    assert item["rrn"] == checkout["rrn"] and item["card_key"] in card_keys
    if scenario == "void":
        assert item["receipt"] is None
        return
    assert item["receipt"]["id"] == checkout["receipt_id"]
    [card] = [line for line in item["receipt"]["payments"] if "auth_code" in line]
    if scenario.startswith("wallet"):
        assert item["token"]["wallet"] == card["wallet"] and item["token"]["masked_pan"][:6] == "489537"
    if scenario == "cashback":
        assert item["cashback_amount"] == card["cashback"] and item["amount"] == card["amount"]
    if scenario == "dcc":
        assert checkout["account_ref"] == f"{account}-SEK"
        assert (item["currency"], item["amount"]) == ("SEK", card["dcc"]["amount"])
        assert (item["billing_currency"], item["billing_amount"]) == ("SEK", item["amount"])
        assert card["dcc"]["markup_percent"] == "3.5"


def test_a_simulated_receiver_refuses_an_unsigned_callback(platform, http):
    onboard_simulated_parties(http, platform)
    response = http.post(
        f"{platform.url}/sim/bank/callbacks",
        data=b'{"id":"x","data":{}}',
        headers={"Content-Type": "application/json", "Receipts-Event-Id": "x", "Receipts-Signature": "t=1,v1=00"},
    )
    assert response.status_code == 401


def test_the_issuer_refuses_what_is_not_iso_8583(platform, http):
    response = http.post(
        f"{platform.url}/sim/issuer", data=b"hello", headers={"Content-Type": "application/octet-stream"}
    )
    assert response.status_code == 400
