"""POST /v1/receipts/lookup: a bank asks, with one statement line's card data, for the
receipt it belongs to — one, or nothing, never a guess (SPEC §10)."""

import functions_framework

from shared.domain.parties import BANK
from shared.domain.payments import StatementLine
from shared.entrypoints import http
from shared.write import services
from shared.write.unit_of_work import UnitOfWork


@functions_framework.http
@http.endpoint("POST")
def lookup_receipt(request):
    bank = http.authenticate(request, BANK)
    line = http.parse_json(request, StatementLine)
    return services.look_up_receipt(bank, line, UnitOfWork()), 200
