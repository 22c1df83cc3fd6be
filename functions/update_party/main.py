"""PATCH /v1/admin/{merchants|banks}/{id}: the operator moves a party's callback_url, which
also re-enables an endpoint that answered 410 (SPEC §10), or changes a merchant's identity (§12)."""

import functions_framework

from shared.domain.parties import MERCHANT, EndpointChange, MerchantChange
from shared.entrypoints import http
from shared.write import services
from shared.write.unit_of_work import UnitOfWork


@functions_framework.http
@http.endpoint("PATCH", needs=("ADMIN_API_KEY",))
def update_party(request):
    operator = http.authenticate_admin(request)
    party = http.party_in_path(request)
    change = http.parse_json(request, MerchantChange if party.kind == MERCHANT else EndpointChange)
    return services.change_party(party, change, operator, UnitOfWork()), 200
