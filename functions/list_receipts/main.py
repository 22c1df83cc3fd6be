"""GET /v1/receipts?status=&limit=&cursor=: the merchant's receipts, newest first (SPEC §4)."""

import functions_framework

from shared.domain.parties import MERCHANT
from shared.entrypoints import http
from shared.platform.db import read_engine
from shared.read import views


@functions_framework.http
@http.endpoint("GET")
def list_receipts(request):
    merchant = http.authenticate(request, MERCHANT)
    query = http.parse_query(request, views.ReceiptQuery)
    with read_engine().connect() as connection:
        return views.receipts(connection, merchant.id, query), 200
