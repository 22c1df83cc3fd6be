"""A till speaking Kivra's receipt JSON or ARTS Digital Receipt XML, through the gateway of
a running platform (SPEC §12): the owners' own examples taken in, matched to the bank's
payment with the same card data, and given back out in both formats, valid against each
owner's schema; unsafe XML refused at once, the platform healthy after."""

from __future__ import annotations

import json
import random
import time
from datetime import date, datetime, timedelta

import pytest

from shared import formats
from shared.formats import arts, kivra
from shared.write import services
from shared.write.unit_of_work import UnitOfWork
from tests.support import ADMIN_API_KEY, LOCAL_CALLBACK, bearer, remember, unique, wait_until
from tests.unit.test_formats import ARTS_SALE, KIVRA_SALE

IDENTITY = {
    "legal_name": "Sample Store BB",
    "vat_id": "SE556036079301",
    "address": {"street": "Sparakvittotgatan 20", "postal_code": "77100", "city": "Ludvika", "country": "SE"},
    "kivra_service_id": "15594097552e6dfbe7ca6d4679acd8120c3344cc8c",
}


def onboard(http, platform, kind: str, **identity) -> dict:
    response = http.post(
        f"{platform.url}/v1/admin/{kind}s",
        headers=bearer(ADMIN_API_KEY),
        json={"name": unique(kind), "callback_url": LOCAL_CALLBACK, **identity},
    )
    assert response.status_code == 201, response.text
    party = response.json()
    remember(party["api_key"], party["webhook_secret"])
    return party


def on_a_day_of_its_own(body: bytes, day: str) -> tuple[bytes, str]:
    """The example as published, moved to a day no other test's receipt is on, so its card
    data picks out its own payment; the day it moved to."""
    other = (date(2019, 1, 1) + timedelta(days=random.randrange(2000))).isoformat()
    return body.replace(day.encode(), other.encode()), other


def submit(http, platform, merchant, body: bytes, media_type: str):
    return http.post(
        f"{platform.url}/v1/receipts", data=body, headers={**bearer(merchant["api_key"]), "Content-Type": media_type}
    )


def pay(http, platform, bank, pan: str, day: str, **card):
    remember(pan)
    response = http.post(
        f"{platform.url}/v1/payments",
        headers=bearer(bank["api_key"]),
        json={
            "bank_payment_id": unique("TXN"),
            "account_ref": unique("acct"),
            "kind": "purchase",
            "pan": pan,
            "currency": "SEK",
            "transaction_date": day,
            "merchant_name": "Sample Store",
            **card,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def matched(http, platform, merchant, receipt_id: str) -> dict:
    url = f"{platform.url}/v1/receipts/{receipt_id}"

    def seen():
        answer = http.get(url, headers=bearer(merchant["api_key"]))
        return answer.json() if answer.status_code == 200 and answer.json()["status"] == "matched" else None

    return wait_until(seen, timeout=30, message=f"receipt {receipt_id} matched")


def fetched(http, platform, key: str, receipt_id: str, accept: str | None = None, query: str = ""):
    headers = bearer(key) | ({"Accept": accept} if accept else {})
    return http.get(f"{platform.url}/v1/receipts/{receipt_id}{query}", headers=headers)


def test_kivras_card_sale_is_taken_matched_and_given_back_in_both_formats(platform, http):
    merchant, bank = onboard(http, platform, "merchant", **IDENTITY), onboard(http, platform, "bank")
    body, day = on_a_day_of_its_own(KIVRA_SALE.read_bytes(), "2018-11-09")
    taken = submit(http, platform, merchant, body, formats.KIVRA)
    assert taken.status_code == 201, taken.text
    assert taken.json()["merchant_receipt_id"] == "0144079"
    again = submit(http, platform, merchant, body, formats.KIVRA)
    assert (again.status_code, again.json()["id"]) == (200, taken.json()["id"])
    changed = submit(
        http, platform, merchant, body.replace(b"Short Shorts, 3xSport", b"Short Shorts, 4xSport"), formats.KIVRA
    )
    assert changed.status_code == 409, changed.text

    pay(
        http,
        platform,
        bank,
        "4581990000003602",
        day,
        auth_code="025965",
        amount=48800,
        transaction_time="11:07:00",
        terminal_id="73200801",
        rrn="000295749077",
    )
    receipt = matched(http, platform, merchant, taken.json()["id"])
    assert receipt["issued_at"] == f"{day}T11:07:00+01:00"

    for key in (merchant["api_key"], bank["api_key"]):  # the bank it was matched to reads it too
        as_kivra = fetched(http, platform, key, receipt["id"], formats.KIVRA)
        assert as_kivra.status_code == 200, as_kivra.text
        assert as_kivra.headers["Content-Type"] == formats.KIVRA and as_kivra.headers["Vary"] == "Accept"
        assert kivra.schema_violations(as_kivra.json()) == []
        as_arts = fetched(http, platform, key, receipt["id"], "application/xml")
        assert as_arts.status_code == 200 and as_arts.headers["Content-Type"].startswith("application/xml")
        assert arts.schema_violations(arts.parse(as_arts.content)) == []
    given = json.loads(body)
    out = as_kivra.json()
    assert [(item["description"], item["extended_amount"]) for item in out["items"]] == [
        (item["description"], item["extended_amount"]) for item in given["items"]
    ]
    # The same moment, in the merchant's (Swedish) time: +01:00 in winter, +02:00 in summer.
    assert datetime.fromisoformat(out["time_of_purchase"]) == datetime.fromisoformat(f"{day}T11:07:00+01:00")
    assert out["time_of_purchase"][-6:] in ("+01:00", "+02:00")
    assert out["payments"][0]["tender"]["bank_identification_number"] == "************3602"
    # At each representation's own path, whatever Accept says (a link, a generated client).
    assert fetched(http, platform, merchant["api_key"], receipt["id"], "text/html", "/arts").content == as_arts.content
    assert fetched(http, platform, merchant["api_key"], receipt["id"], None, "/kivra").json() == as_kivra.json()
    page = fetched(http, platform, merchant["api_key"], receipt["id"], None, "/html")
    assert page.headers["Content-Type"].startswith("text/html") and "<html" in page.text
    # A link of the older form still leads there: a 308 keeps the key on the way.
    moved = http.get(
        f"{platform.url}/v1/receipts/{receipt['id']}?format=arts",
        headers=bearer(merchant["api_key"]),
        allow_redirects=False,
    )
    assert (moved.status_code, moved.headers["Location"]) == (308, f"/v1/receipts/{receipt['id']}/arts")
    assert fetched(http, platform, merchant["api_key"], receipt["id"], query="?format=arts").content == as_arts.content


def test_the_arts_card_sale_is_taken_and_matched_by_reconciliation(platform, http):
    merchant, bank = onboard(http, platform, "merchant", **IDENTITY), onboard(http, platform, "bank")
    body, day = on_a_day_of_its_own(ARTS_SALE.read_bytes(), "2018-01-08")
    taken = submit(http, platform, merchant, body, "application/xml")
    assert taken.status_code == 201, taken.text
    assert (submit(http, platform, merchant, body, "text/xml").json()["id"]) == taken.json()["id"]
    pay(
        http,
        platform,
        bank,
        "5413330000001380",
        day,
        auth_code="784547",
        amount=3500,
        transaction_time="08:57:34",
        terminal_id="50201912",
        rrn="501009148370",
    )
    services.reconcile(UnitOfWork())  # no auth code on the slip: the reconciliation's no_auth_code rule
    receipt = matched(http, platform, merchant, taken.json()["id"])
    assert [line["amount"] for line in receipt["lines"]] == [None, None] and receipt["totals"]["total"] == 3500
    as_kivra = fetched(http, platform, bank["api_key"], receipt["id"], formats.KIVRA)
    assert kivra.schema_violations(as_kivra.json()) == []
    as_arts = fetched(http, platform, bank["api_key"], receipt["id"], "application/xml")
    assert arts.schema_violations(arts.parse(as_arts.content)) == []


def test_a_return_is_linked_to_the_merchants_original(platform, http):
    merchant = onboard(http, platform, "merchant", **IDENTITY)
    body, _ = on_a_day_of_its_own(KIVRA_SALE.read_bytes(), "2018-11-09")
    sale = submit(http, platform, merchant, body, formats.KIVRA).json()
    document = json.loads(body)
    document["receipt_identifier"] = {"sequence_number": 144080}
    for item in document["items"]:
        item["type"] = "return"
        item["receipt_reference"] = {"value": "0144079", "context": "chain"}
    for payment in document["payments"]:
        payment["refund"] = True
    returned = submit(http, platform, merchant, json.dumps(document).encode(), formats.KIVRA)
    assert returned.status_code == 201, returned.text
    url = f"{platform.url}/v1/receipts/{returned.json()['id']}"
    view = wait_until(
        lambda: (answer := http.get(url, headers=bearer(merchant["api_key"]))).ok and answer.json(),
        timeout=20,
        message="the return to be visible",
    )
    assert view["refund_of"] == sale["id"]
    assert (view["kind"], view["warnings"]) == ("refund", [])
    # Bought before the merchant joined, or in another branch: a refund linked to none.
    for item in document["items"]:
        item["receipt_reference"]["value"] = "NOT-ON-THE-PLATFORM"
    document["receipt_identifier"] = {"sequence_number": 144081}
    unknown = submit(http, platform, merchant, json.dumps(document).encode(), formats.KIVRA)
    assert unknown.status_code == 201, unknown.text
    assert [(warning["path"], warning["code"]) for warning in unknown.json()["warnings"]] == [
        ("/items/0/receipt_reference", "original_unknown")
    ]
    url = f"{platform.url}/v1/receipts/{unknown.json()['id']}"
    view = wait_until(
        lambda: (answer := http.get(url, headers=bearer(merchant["api_key"]))).ok and answer.json(),
        timeout=20,
        message="the unlinked return to be visible",
    )
    assert (view["kind"], view["refund_of"], view["warnings"]) == ("refund", None, unknown.json()["warnings"])
    # The original arrives after all, and the till sends its return again: the same document,
    # answered as it was taken (no 409 for the link the platform could now make).
    original = json.loads(body)
    original["receipt_identifier"] = {
        "sequence_number": 1,
        "extended_number": {"value": "NOT-ON-THE-PLATFORM", "context": "chain"},
    }
    assert submit(http, platform, merchant, json.dumps(original).encode(), formats.KIVRA).status_code == 201
    again = submit(http, platform, merchant, json.dumps(document).encode(), formats.KIVRA)
    assert (again.status_code, again.json()["id"], again.json()["warnings"]) == (
        200,
        unknown.json()["id"],
        unknown.json()["warnings"],
    )


def test_each_format_has_its_own_path_beside_content_negotiation(platform, http):
    merchant = onboard(http, platform, "merchant", **IDENTITY)
    kivra_body, _ = on_a_day_of_its_own(KIVRA_SALE.read_bytes(), "2018-11-09")
    arts_body, _ = on_a_day_of_its_own(ARTS_SALE.read_bytes(), "2018-01-08")

    def at(path: str, body: bytes, media_type: str):
        headers = {**bearer(merchant["api_key"]), "Content-Type": media_type}
        return http.post(f"{platform.url}/v1/receipts/{path}", data=body, headers=headers)

    # Another format's Content-Type is refused before anything is stored: the 201s below are first.
    assert at("kivra", kivra_body, formats.ARTS).status_code == 415
    assert at("arts", arts_body, formats.KIVRA).status_code == 415
    kivra_taken = at("kivra", kivra_body, "application/json")  # the path names the profile
    assert kivra_taken.status_code == 201, kivra_taken.text
    arts_taken = at("arts", arts_body, formats.ARTS)
    assert arts_taken.status_code == 201, arts_taken.text
    # By Content-Type at /v1/receipts, the same documents are the same receipts.
    for body, media_type, taken in ((kivra_body, formats.KIVRA, kivra_taken), (arts_body, formats.ARTS, arts_taken)):
        again = submit(http, platform, merchant, body, media_type)
        assert (again.status_code, again.json()["id"]) == (200, taken.json()["id"])


def test_what_cannot_be_offered_is_406_naming_what_is(platform, http):
    merchant = onboard(http, platform, "merchant")  # no Kivra service id, no address
    taken = submit(http, platform, merchant, KIVRA_SALE.read_bytes(), formats.KIVRA)
    assert taken.status_code == 201, taken.text
    receipt_id = taken.json()["id"]
    wait_until(lambda: fetched(http, platform, merchant["api_key"], receipt_id).ok, timeout=20, message="visible")
    refused = fetched(http, platform, merchant["api_key"], receipt_id, formats.KIVRA)
    assert refused.status_code == 406 and refused.headers["Vary"] == "Accept"
    assert "kivra_service_id" in refused.json()["error"]["message"]
    refused = fetched(http, platform, merchant["api_key"], receipt_id, "image/png")
    assert refused.status_code == 406 and refused.headers["Vary"] == "Accept"
    assert all(media in refused.json()["error"]["message"] for media in formats.OFFERED.values())
    assert fetched(http, platform, merchant["api_key"], receipt_id, "application/xml").status_code == 200
    assert fetched(http, platform, merchant["api_key"], receipt_id, query="/kivra").status_code == 406
    assert fetched(http, platform, merchant["api_key"], receipt_id, query="/pdf").status_code == 404
    assert fetched(http, platform, merchant["api_key"], receipt_id, query="?format=pdf").status_code == 404
    assert fetched(http, platform, merchant["api_key"], receipt_id, query="/html?format=kivra").ok  # the path decides
    assert fetched(http, platform, merchant["api_key"], "a%0D%0Ax", query="?format=html").status_code == 404


def test_a_document_breaking_its_schema_is_422_at_its_path_and_changes_nothing(platform, http):
    merchant = onboard(http, platform, "merchant")
    document = json.loads(KIVRA_SALE.read_text())
    del document["items"][0]["description"], document["currency"]
    refused = submit(http, platform, merchant, json.dumps(document).encode(), formats.KIVRA)
    assert refused.status_code == 422
    # currency, required at the top; the description, which a sale item needs
    assert [detail["field"] for detail in refused.json()["error"]["details"]] == ["/", "/items/0"]
    broken = ARTS_SALE.read_bytes().replace(
        b"<nam:CurrencyCode>SEK</nam:CurrencyCode>", b"<nam:Currency>SEK</nam:Currency>"
    )
    refused = submit(http, platform, merchant, broken, "application/xml")
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["field"].startswith("/nam:DigitalReceipt/nam:Transaction/")
    listed = http.get(f"{platform.url}/v1/receipts", headers=bearer(merchant["api_key"]))
    assert listed.status_code in (200, 404) and listed.json().get("items", []) == []
    assert submit(http, platform, merchant, b"{}", "application/pdf").status_code == 415


@pytest.mark.parametrize(
    "body, status",
    [
        (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', 400),
        (
            b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
            b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]><l>&f;</l>',
            400,
        ),
        (b"<r>" + b"<a>x</a>" * 40_000 + b"</r>", 413),
    ],
    ids=["external entity", "billion laughs", "oversized"],
)
def test_unsafe_xml_is_refused_within_a_second_and_the_platform_stays_healthy(platform, http, body, status):
    merchant = onboard(http, platform, "merchant")
    started = time.monotonic()
    refused = submit(http, platform, merchant, body, "application/xml")
    assert (refused.status_code, time.monotonic() - started < 1) == (status, True)
    assert "root:" not in refused.text
    assert http.get(f"{platform.url}/healthz").status_code == 200
