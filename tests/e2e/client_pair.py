"""A pair driven through the installed Python client, as an integrator drives it: run by
test_clients.py in a fresh venv that holds only receipts-platform-client and
standardwebhooks (so nothing of the repository is importable). Reads what to send as JSON
on stdin; prints what it saw as JSON."""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO

import standardwebhooks
from receipts_platform_client import AuthenticatedClient
from receipts_platform_client.api.default import (
    create_bank,
    create_merchant,
    get_arts_receipt,
    get_kivra_receipt,
    get_receipt,
    get_receipt_page,
    list_account_payments,
    list_receipts,
    submit_arts_receipt,
    submit_kivra_receipt,
    submit_payment,
    submit_receipt,
)
from receipts_platform_client.models import (
    BankReceiptMatchedCallback,
    MerchantRegistration,
    PartyRegistration,
    PaymentSubmission,
    ReceiptSubmission,
    SubmitKivraReceiptBody,
)
from receipts_platform_client.types import File
from receipts_platform_helpers import NotFound, Unauthorized, ValidationFailed, answer, pages

given = json.load(sys.stdin)
received: list[tuple[str, dict[str, str], bytes]] = []


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        received.append((self.path, dict(self.headers), self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def until(found, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while (value := found()) is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within {timeout} s")
        time.sleep(0.2)
    return value


server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()
callbacks = f"http://127.0.0.1:{server.server_port}"

operator = AuthenticatedClient(base_url=given["url"], token=given["admin_key"])
registration = {"name": "Client café", "callback_url": f"{callbacks}/merchant", **given["identity"]}
merchant_credentials = answer(
    create_merchant.sync_detailed(client=operator, body=MerchantRegistration.from_dict(registration))
)
bank_credentials = answer(
    create_bank.sync_detailed(
        client=operator, body=PartyRegistration(name="Client bank", callback_url=f"{callbacks}/bank")
    )
)
merchant = AuthenticatedClient(base_url=given["url"], token=merchant_credentials.api_key)
bank = AuthenticatedClient(base_url=given["url"], token=bank_credentials.api_key)

# A merchant's till: the platform's JSON, then Kivra's and ARTS's documents at their own operations.
accepted = answer(submit_receipt.sync_detailed(client=merchant, body=ReceiptSubmission.from_dict(given["receipt"])))
from_kivra = answer(
    submit_kivra_receipt.sync_detailed(client=merchant, body=SubmitKivraReceiptBody.from_dict(given["kivra"]))
)
from_arts = answer(
    submit_arts_receipt.sync_detailed(client=merchant, body=File(payload=BytesIO(given["arts"].encode())))
)

# The bank's core system reports the card payment, then its app reads the statement.
payment = answer(submit_payment.sync_detailed(client=bank, body=PaymentSubmission.from_dict(given["payment"])))


def statement_with_receipt():
    try:
        statement = [
            entry
            for page in pages(list_account_payments.sync_detailed, given["payment"]["account_ref"], client=bank)
            for entry in page.items
        ]
    except NotFound:  # the payment is not on the read model yet
        return None
    return statement if statement and statement[0].receipt else None


statement = until(statement_with_receipt, "match on the statement")
view = answer(get_receipt.sync_detailed(accepted.id, client=bank))
page = answer(get_receipt_page.sync_detailed(accepted.id, client=bank))
as_kivra = answer(get_kivra_receipt.sync_detailed(accepted.id, client=bank))
as_arts = answer(get_arts_receipt.sync_detailed(accepted.id, client=bank))

# The bank's callback, verified as the client's README shows, then read as its typed model.
path, headers, body = until(lambda: next((call for call in received if call[0] == "/bank"), None), "bank callback")
event = standardwebhooks.Webhook(bank_credentials.webhook_secret).verify(body, headers)
callback = BankReceiptMatchedCallback.from_dict(event)
forged = dict(headers, **{"webhook-signature": "v1,AAAA"})
try:
    standardwebhooks.Webhook(bank_credentials.webhook_secret).verify(body, forged)
    forgery = "accepted"
except standardwebhooks.WebhookVerificationError:
    forgery = "refused"


def all_three_listed():
    """The merchant's receipts, read two to a page (the pager follows the cursor), once all three are listed."""
    listed = sorted(
        receipt.id for page in pages(list_receipts.sync_detailed, client=merchant, limit=2) for receipt in page.items
    )
    return listed if len(listed) == 3 else None


merchant_receipts = until(all_three_listed, "the three receipts listed")

# The API's errors, as exceptions carrying its codes.
broken = dict(given["receipt"], merchant_receipt_id=given["receipt"]["merchant_receipt_id"] + "-b")
broken["totals"] = dict(broken["totals"], total=broken["totals"]["total"] + 1)
try:
    answer(submit_receipt.sync_detailed(client=merchant, body=ReceiptSubmission.from_dict(broken)))
    invalid = None
except ValidationFailed as error:
    invalid = {"status": error.status, "code": error.code, "details": [detail["code"] for detail in error.details]}
try:
    answer(list_receipts.sync_detailed(client=AuthenticatedClient(base_url=given["url"], token="not-a-key")))
    unknown_key = None
except Unauthorized as error:
    unknown_key = {"status": error.status, "code": error.code}

print(
    json.dumps(
        {
            "receipt_id": accepted.id,
            "kivra_receipt_id": from_kivra.id,
            "arts_receipt_id": from_arts.id,
            "payment_id": payment.id,
            "statement": [(entry.id, entry.receipt.id if entry.receipt else None) for entry in statement],
            "view": {"id": view.id, "status": str(view.status), "total": view.totals.total},
            "page": page,
            "kivra": as_kivra.to_dict(),
            "arts": as_arts.payload.read().decode(),
            "callback": {
                "path": path,
                "id": callback.id,
                "type": callback.type_,
                "payment_id": callback.data.payment_id,
                "receipt_id": callback.data.receipt.id,
                "html": callback.data.receipt_formats.html,
            },
            "forgery": forgery,
            "merchant_receipts": merchant_receipts,
            "invalid": invalid,
            "unknown_key": unknown_key,
        }
    )
)
