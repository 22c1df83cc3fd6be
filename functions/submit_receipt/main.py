"""POST /v1/receipts: a merchant submits an itemised receipt (SPEC §4)."""

import functions_framework

from shared.domain.parties import MERCHANT
from shared.domain.receipts import ReceiptSubmission
from shared.entrypoints import http
from shared.write import services
from shared.write.unit_of_work import UnitOfWork


@functions_framework.http
@http.endpoint("POST", needs=("PLATFORM_SECRET",))
def submit_receipt(request):
    merchant = http.authenticate(request, MERCHANT)
    receipt = http.parse_json(request, ReceiptSubmission)
    accepted, created = services.submit_receipt(receipt, merchant, UnitOfWork())
    return accepted, 201 if created else 200
