"""DELETE /v1/admin/matches/{payment_id}: the operator undoes a wrong match (SPEC §11)."""

import uuid

import functions_framework

from shared.domain.errors import NotFound
from shared.entrypoints import http
from shared.write import services
from shared.write.unit_of_work import UnitOfWork


@functions_framework.http
@http.endpoint("DELETE", needs=("ADMIN_API_KEY",))
def unlink_match(request):
    operator = http.authenticate_admin(request)
    try:
        payment_id = uuid.UUID(http.path_parameter(request, 3))
    except ValueError:
        raise NotFound("this payment is not matched") from None
    return services.unlink_match(payment_id, operator, UnitOfWork()), 200
