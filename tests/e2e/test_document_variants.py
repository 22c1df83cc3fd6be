"""Tills' documents as real tills send them (SPEC §12), through the gateway of a running
platform: the owners' examples and the variants of them in tests/formats/variants. Each
one paid by card is taken as printed, with its warnings in the answer and on its view,
matched to the bank's payment with its card data, and given back out in both formats; each
paid otherwise is refused with no_card_payment alone. The merchant lists those taken with
warnings, and a receipt whose figures do not add up is not legally complete."""

from __future__ import annotations

import random
from datetime import date, timedelta

from shared import formats
from shared.formats import arts, kivra
from tests.document_variants import OWNERS, VARIANTS
from tests.e2e.test_formats import IDENTITY, fetched, onboard, submit
from tests.support import bearer, remember, unique, wait_until

MEDIA = {"kivra": formats.KIVRA, "arts": formats.ARTS}


def test_every_document_is_taken_as_printed_and_matched_or_refused_for_the_one_reason(platform, http):
    merchant, bank = onboard(http, platform, "merchant", **IDENTITY), onboard(http, platform, "bank")
    documents = OWNERS + VARIANTS
    # A day of its own each, in years no other test's receipts are on: its card data picks its payment.
    days = random.sample(range(3000), len(documents))
    taken: dict[str, tuple] = {}
    for document, offset in zip(documents, days):
        payment = document.payment
        day = (date(2040, 1, 1) + timedelta(days=offset)).isoformat()
        body = document.body().replace(payment.day.encode(), day.encode()) if payment else document.body()
        answer = submit(http, platform, merchant, body, MEDIA[document.kind])
        if document.refused:
            assert answer.status_code == 422, (document.path, answer.text)
            assert [(detail["field"], detail["code"]) for detail in answer.json()["error"]["details"]] == [
                document.refused
            ], document.path
            continue
        assert answer.status_code == 201, (document.path, answer.text)
        warnings = answer.json()["warnings"]
        assert [(warning["path"], warning["code"]) for warning in warnings] == list(document.warnings), document.path
        pan = f"458199000000{payment.last4}"
        remember(pan)
        paid = http.post(
            f"{platform.url}/v1/payments",
            headers=bearer(bank["api_key"]),
            json={"bank_payment_id": unique("TXN"), "account_ref": unique("acct"), **payment.body(pan, day)},
        )
        assert paid.status_code == 201, (document.path, paid.text)
        taken[answer.json()["id"]] = (document, warnings)

    def matched():
        views = {receipt_id: fetched(http, platform, merchant["api_key"], receipt_id) for receipt_id in taken}
        return views if all(view.ok and view.json()["status"] == "matched" for view in views.values()) else None

    views = wait_until(matched, timeout=60, message="every document's receipt matched to its payment")
    for receipt_id, (document, warnings) in taken.items():
        view = views[receipt_id].json()
        assert view["warnings"] == warnings, document.path
        assert view["kind"] == ("refund" if document.payment.kind == "refund" else "sale")
        inconsistent = [warning["path"] for warning in warnings if warning["code"] != "original_unknown"]
        assert view["legal"].get("inconsistent", []) == inconsistent, document.path
        if inconsistent:
            assert view["legal"]["complete"] is False
        # The bank it was matched to reads it in both formats, valid against the owners' schemas.
        as_kivra = fetched(http, platform, bank["api_key"], receipt_id, formats.KIVRA)
        assert as_kivra.status_code == 200 and kivra.schema_violations(as_kivra.json()) == [], document.path
        as_arts = fetched(http, platform, bank["api_key"], receipt_id, formats.ARTS)
        assert as_arts.status_code == 200 and arts.schema_violations(arts.parse(as_arts.content)) == [], document.path

    def listed(warnings: str) -> list[str]:
        ids, cursor = [], ""
        while True:
            page = http.get(
                f"{platform.url}/v1/receipts?warnings={warnings}&limit=5{cursor}", headers=bearer(merchant["api_key"])
            ).json()
            ids += [item["id"] for item in page["items"]]
            if not page["next_cursor"]:
                return sorted(ids)
            cursor = f"&cursor={page['next_cursor']}"

    assert listed("true") == sorted(receipt_id for receipt_id, (_, warnings) in taken.items() if warnings)
    assert listed("false") == sorted(receipt_id for receipt_id, (_, warnings) in taken.items() if not warnings)
