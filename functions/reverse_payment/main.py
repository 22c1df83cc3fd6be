"""POST /v1/payments/reversals: an issuer reverses a payment it reported, in full or in part."""

import functions_framework

from shared.domain.parties import BANK
from shared.domain.payments import Reversal
from shared.entrypoints import http
from shared.write import services
from shared.write.unit_of_work import UnitOfWork


@functions_framework.http
@http.endpoint("POST")
def reverse_payment(request):
    bank = http.authenticate(request, BANK)
    reversal = http.parse_json(request, Reversal)
    return services.reverse_payment(reversal, bank, UnitOfWork()), 200
