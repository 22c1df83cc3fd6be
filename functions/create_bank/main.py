"""POST /v1/admin/banks: the operator onboards an issuing bank (SPEC §4)."""

import functions_framework

from shared.domain.parties import BANK, PartyRegistration
from shared.entrypoints import http
from shared.write import services
from shared.write.unit_of_work import UnitOfWork


@functions_framework.http
@http.endpoint("POST", needs=("ADMIN_API_KEY", "PLATFORM_SECRET"))
def create_bank(request):
    operator = http.authenticate_admin(request)
    registration = http.parse_json(request, PartyRegistration)
    return services.register_party(BANK, registration, operator, UnitOfWork()), 201
