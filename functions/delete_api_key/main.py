"""DELETE /v1/admin/{merchants|banks}/{id}/api-keys/{key_id}: the operator deletes one of a
party's keys (never its last live one); it is refused everywhere within a second."""

import uuid

import functions_framework

from shared.domain.errors import NotFound
from shared.entrypoints import http
from shared.write import services
from shared.write.unit_of_work import UnitOfWork


@functions_framework.http
@http.endpoint("DELETE", needs=("ADMIN_API_KEY",))
def delete_api_key(request):
    operator = http.authenticate_admin(request)
    party = http.party_in_path(request)
    try:
        key_id = uuid.UUID(http.path_parameter(request, 5))
    except ValueError:
        raise NotFound("no key of this party has this id") from None
    return services.delete_api_key(party, key_id, operator, UnitOfWork()), 200
