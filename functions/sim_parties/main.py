"""POST /sim/parties: hand the simulated merchant or bank its platform credentials (operator key)."""

import functions_framework

from shared.entrypoints import http
from shared.platform.db import sim_engine
from shared.simulation import parties
from shared.simulation.requests import PartyCredentials


@functions_framework.http
@http.endpoint("POST", needs=("ADMIN_API_KEY",))
def sim_parties(request):
    http.authenticate_admin(request)
    credentials = http.parse_json(request, PartyCredentials)
    with sim_engine().begin() as connection:
        parties.register(connection, credentials.kind, credentials.id, credentials.api_key, credentials.webhook_secret)
    return {"kind": credentials.kind, "id": credentials.id}, 200
