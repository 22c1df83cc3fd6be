"""GET /sim/bank/accounts/{account_ref}: the simulated bank's view of an account's payments,
each with the itemised receipt the platform called back."""

import functions_framework

from shared.entrypoints import http
from shared.platform.db import sim_engine
from shared.simulation import parties


@functions_framework.http
@http.endpoint("GET")
def sim_bank_statement(request):
    account_ref = http.path_parameter(request, 3)
    with sim_engine().connect() as connection:
        return parties.statement(connection, account_ref), 200
