"""GET /v1/receipts/{id}: the receipt, for its merchant or a bank it was matched to (SPEC §4).

By Accept (SPEC §12), or at the representation's own path (/v1/receipts/{id}/html, …/kivra,
…/arts: a link needs no header): JSON (the default), text/html (the rendered receipt a bank
app can embed), Kivra's retail receipt, or an ARTS Digital Receipt (application/xml).
"""

import functions_framework

from shared.domain.errors import NotFound
from shared.domain.parties import BANK, MERCHANT
from shared.entrypoints import http
from shared.platform.db import read_engine
from shared.read import documents, render, views


@functions_framework.http
@http.endpoint("GET")
def get_receipt(request):
    if (moved := http.representation_moved(request)) is not None:
        return moved
    party = http.authenticate(request, MERCHANT, BANK)
    receipt_id = http.path_parameter(request, 2)
    kind = http.representation(request, http.path_parameter(request, 3, required=False))
    with read_engine().connect() as connection:
        receipt = views.receipt(connection, party, receipt_id)
        if receipt is None:
            raise NotFound("no such receipt")
        if kind != "json":
            merchant = views.merchant_identity(connection, receipt["merchant"]["id"])
            if kind == "html":
                return http.html_response(
                    render.receipt_html(receipt, merchant.get("logo")), render.HEADERS | http.VARY
                )
            return http.document_response(*documents.document(kind, receipt, merchant))
    return http.json_response(receipt, 200, http.VARY)
