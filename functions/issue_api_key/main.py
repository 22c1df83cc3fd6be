"""POST /v1/admin/{merchants|banks}/{id}/api-keys: the operator issues a party another API
key, beside its others (shown once), to roll a key without downtime."""

import functions_framework

from shared.domain.parties import KeyRequest
from shared.entrypoints import http
from shared.write import services
from shared.write.unit_of_work import UnitOfWork


@functions_framework.http
@http.endpoint("POST", needs=("ADMIN_API_KEY",))
def issue_api_key(request):
    operator = http.authenticate_admin(request)
    key_request = http.parse_json(request, KeyRequest)
    return services.issue_api_key(http.party_in_path(request), key_request, operator, UnitOfWork()), 201
