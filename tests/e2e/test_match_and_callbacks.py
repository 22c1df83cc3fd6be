"""The whole flow through make run's platform: a receipt and its payment are matched and
both parties get their signed callback (SPEC §5, §6)."""

import json

from shared.write.signatures import verify
from tests.e2e.test_read_api import submit_payment, submit_receipt
from tests.integration.test_callbacks import Receiver
from tests.support import ADMIN_API_KEY, bearer, random_pan, remember, wait_until


def test_a_matched_pair_calls_back_the_bank_and_the_merchant(platform, http):
    receiver = Receiver(failures=1)  # the first call of each fails: the trigger retries it
    parties = {}
    for kind in ("merchant", "bank"):
        response = http.post(
            f"{platform.url}/v1/admin/{kind}s",
            headers=bearer(ADMIN_API_KEY),
            json={"name": f"{kind} flow", "callback_url": f"{receiver.url}/{kind}"},
        )
        parties[kind] = response.json()
        remember(parties[kind]["api_key"], parties[kind]["webhook_secret"])
    pan = random_pan()
    receipt = submit_receipt(http, platform, parties["merchant"], pan=pan)
    payment = submit_payment(http, platform, parties["bank"], pan=pan, account_ref="acct-flow")

    wait_until(lambda: len(receiver.delivered) == 2, timeout=30, message="both callbacks")
    by_path = {path: (headers, json.loads(body), body) for path, headers, body in receiver.delivered}
    headers, bank_callback, raw = by_path["/bank"]
    assert verify(parties["bank"]["webhook_secret"], headers["Receipts-Signature"], raw)
    assert bank_callback["data"]["payment_id"] == payment["id"]
    assert bank_callback["data"]["receipt"]["id"] == receipt["id"]
    headers, merchant_callback, raw = by_path["/merchant"]
    assert verify(parties["merchant"]["webhook_secret"], headers["Receipts-Signature"], raw)
    assert merchant_callback["data"]["receipt_id"] == receipt["id"]
    assert sorted(receiver.calls.values()) == [2, 2]

    statement = wait_until(
        lambda: [
            item
            for item in http.get(
                f"{platform.url}/v1/accounts/acct-flow/payments", headers=bearer(parties["bank"]["api_key"])
            )
            .json()
            .get("items", [])
            if item["receipt"]
        ],
        message="the receipt in the bank's statement",
    )
    assert statement[0]["receipt"]["id"] == receipt["id"] and statement[0]["status"] == "matched"
