"""GET /v1/accounts/{account_ref}/payments: a bank's statement for one account (SPEC §4)."""

import functions_framework

from shared.domain.parties import BANK
from shared.entrypoints import http
from shared.platform.db import read_engine
from shared.read import views


@functions_framework.http
@http.endpoint("GET")
def list_account_payments(request):
    bank = http.authenticate(request, BANK)
    account_ref = http.path_parameter(request, 2)
    query = http.parse_query(request, views.PageQuery)
    with read_engine().connect() as connection:
        return views.statement(connection, bank.id, account_ref, query), 200
