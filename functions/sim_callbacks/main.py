"""POST /sim/{merchant|bank}/callbacks: the simulated parties' webhook receivers."""

import functions_framework

from shared.domain.errors import NotFound
from shared.entrypoints import http
from shared.platform.db import sim_engine
from shared.simulation import parties
from shared.write.signatures import EVENT_ID_HEADER, SIGNATURE_HEADER


@functions_framework.http
@http.endpoint("POST")
def sim_callbacks(request):
    kind = http.path_parameter(request, 1)
    if kind not in ("merchant", "bank"):
        raise NotFound("no such simulated party")
    with sim_engine().begin() as connection:
        new = parties.receive_callback(
            connection,
            kind,
            request.headers.get(SIGNATURE_HEADER),
            request.headers.get(EVENT_ID_HEADER),
            request.get_data(),
        )
    return {"received": True, "duplicate": not new}, 200
