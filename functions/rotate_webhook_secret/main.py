"""POST /v1/admin/{merchants|banks}/{id}/webhook-secret: the operator rotates a party's
webhook secret; the old one keeps signing beside the new one for 24 h (SPEC §10)."""

import functions_framework

from shared.entrypoints import http
from shared.write import services
from shared.write.unit_of_work import UnitOfWork


@functions_framework.http
@http.endpoint("POST", needs=("ADMIN_API_KEY", "PLATFORM_SECRET"))
def rotate_webhook_secret(request):
    operator = http.authenticate_admin(request)
    return services.rotate_webhook_secret(http.party_in_path(request), operator, UnitOfWork()), 200
