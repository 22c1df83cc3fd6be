"""GET /v1/receipts/{id}: the receipt, for its merchant or a bank it was matched to (SPEC §4).

JSON by default; with Accept: text/html, the rendered receipt a bank app can embed.
"""

import functions_framework

from shared.domain.errors import NotFound
from shared.domain.parties import BANK, MERCHANT
from shared.entrypoints import http
from shared.platform.db import read_engine
from shared.read import render, views


@functions_framework.http
@http.endpoint("GET")
def get_receipt(request):
    party = http.authenticate(request, MERCHANT, BANK)
    receipt_id = http.path_parameter(request, 2)
    with read_engine().connect() as connection:
        receipt = views.receipt(connection, party, receipt_id)
        if receipt is None:
            raise NotFound("no such receipt")
        if http.wants_html(request):
            logo = views.merchant_logo(connection, receipt["merchant"]["id"])
            return http.html_response(render.receipt_html(receipt, logo), render.HEADERS)
    return receipt, 200
