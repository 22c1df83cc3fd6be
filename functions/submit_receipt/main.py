"""POST /v1/receipts: a merchant submits an itemised receipt (SPEC §4): the platform's JSON,
Kivra's retail receipt or an ARTS Digital Receipt, by Content-Type (SPEC §12), or at the
format's own path (/v1/receipts/kivra, /v1/receipts/arts: an operation of its own for
clients generated from /openapi.json)."""

import functions_framework

from shared import formats
from shared.domain.parties import MERCHANT
from shared.domain.receipts import ReceiptSubmission
from shared.entrypoints import http
from shared.write import services
from shared.write.unit_of_work import UnitOfWork


@functions_framework.http
@http.endpoint("POST", needs=("PLATFORM_SECRET",), submits="receipt")
def submit_receipt(request):
    merchant = http.authenticate(request, MERCHANT)
    kind = http.document_kind(request, http.path_parameter(request, 2, required=False))
    if kind == "json":
        accepted, created = services.submit_receipt(http.parse_json(request, ReceiptSubmission), merchant, UnitOfWork())
    else:
        document = formats.read(kind, http.read_body(request))
        accepted, created = services.submit_document(document, merchant, UnitOfWork())
    return accepted, 201 if created else 200
