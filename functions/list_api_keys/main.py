"""GET /v1/admin/{merchants|banks}/{id}/api-keys: a party's API keys, never their secrets."""

import functions_framework

from shared.entrypoints import http
from shared.write import services
from shared.write.unit_of_work import UnitOfWork


@functions_framework.http
@http.endpoint("GET", needs=("ADMIN_API_KEY",))
def list_api_keys(request):
    http.authenticate_admin(request)
    return services.api_keys(http.party_in_path(request), UnitOfWork()), 200
