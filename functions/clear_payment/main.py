"""POST /v1/payments/clearing: a bank sends the final amount of a payment it reported."""

import functions_framework

from shared.domain.parties import BANK
from shared.domain.payments import Clearing
from shared.entrypoints import http
from shared.write import services
from shared.write.unit_of_work import UnitOfWork


@functions_framework.http
@http.endpoint("POST")
def clear_payment(request):
    bank = http.authenticate(request, BANK)
    final = http.parse_json(request, Clearing)
    return services.clear_payment(final, bank, UnitOfWork()), 200
