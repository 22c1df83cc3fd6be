"""GET /sim/callbacks?since=<RFC 3339>: where the simulated receivers listen, and what they
took since a moment, per receipt: how `make demo` onboards its parties and follows its
checkouts over HTTP alone, wherever the platform runs."""

import functions_framework

from shared.entrypoints import http
from shared.platform.db import sim_engine
from shared.simulation import parties
from shared.simulation.requests import CallbackLogQuery


@functions_framework.http
@http.endpoint("GET")
def sim_callback_log(request):
    query = http.parse_query(request, CallbackLogQuery)
    with sim_engine().connect() as connection:
        return parties.callback_log(connection, query.since), 200
