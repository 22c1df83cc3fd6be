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
    with sim_engine().begin() as connection:
        parties.open_account(connection, checkout.account_ref)  # the cardholder banks with the simulated issuer
        merchant = parties.credentials(connection, "merchant")
    result = parties.checkout(merchant, checkout.account_ref, document_format=checkout.format)
    return result, 201 if result["approved"] else 402
