"""POST /sim/checkout: one purchase at the simulated merchant's POS, paid by a demo card."""

import functions_framework

from shared.entrypoints import http
from shared.platform.db import sim_engine
from shared.simulation import parties
from shared.simulation.requests import Checkout


@functions_framework.http
@http.endpoint("POST", needs=("PLATFORM_SECRET",))
def sim_checkout(request):
    checkout = http.parse_json(request, Checkout)
    result = parties.checkout(sim_engine(), checkout.account_ref, checkout.scenario, checkout.format)
    return result, 201 if result["approved"] else 402
