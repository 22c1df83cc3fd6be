"""POST /v1/receipts/{id}/void: a merchant voids a sale at the till (SPEC §14)."""

import uuid

import functions_framework

from shared.domain.errors import NotFound
from shared.domain.parties import MERCHANT
from shared.entrypoints import http
from shared.write import services
from shared.write.unit_of_work import UnitOfWork


@functions_framework.http
@http.endpoint("POST")
def void_receipt(request):
    merchant = http.authenticate(request, MERCHANT)
    try:
        receipt_id = uuid.UUID(http.path_parameter(request, 2))
    except ValueError:
        raise NotFound("no receipt of yours has this id") from None
    return services.void_receipt(merchant, receipt_id, UnitOfWork()), 200
