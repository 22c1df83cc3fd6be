"""POST /v1/admin/matches: the operator matches a pair matching would not decide (SPEC §11)."""

import functions_framework

from shared.domain.settlement import ManualMatch
from shared.entrypoints import http
from shared.write import services
from shared.write.unit_of_work import UnitOfWork


@functions_framework.http
@http.endpoint("POST", needs=("ADMIN_API_KEY",))
def settle_match(request):
    operator = http.authenticate_admin(request)
    match = http.parse_json(request, ManualMatch)
    return services.settle_match(match, operator, UnitOfWork()), 201
