"""POST /v1/admin/merchants: the operator onboards a merchant (SPEC §4)."""

import functions_framework

from shared.domain.parties import MERCHANT, MerchantRegistration
from shared.entrypoints import http
from shared.write import services
from shared.write.unit_of_work import UnitOfWork


@functions_framework.http
@http.endpoint("POST", needs=("ADMIN_API_KEY", "PLATFORM_SECRET"))
def create_merchant(request):
    operator = http.authenticate_admin(request)
    registration = http.parse_json(request, MerchantRegistration)
    return services.register_party(MERCHANT, registration, operator, UnitOfWork()), 201
