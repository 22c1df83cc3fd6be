"""DELETE /v1/accounts/{account_ref}: a bank erases a cardholder account (SPEC §11)."""

import functions_framework

from shared.domain.parties import BANK
from shared.entrypoints import http
from shared.write import services
from shared.write.unit_of_work import UnitOfWork


@functions_framework.http
@http.endpoint("DELETE")
def erase_account(request):
    bank = http.authenticate(request, BANK)
    return services.erase_account(bank, http.path_parameter(request, 2), http.actor(request, bank), UnitOfWork()), 202
