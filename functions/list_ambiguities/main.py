"""GET /v1/admin/ambiguities: the open ambiguity sets, oldest first, for the operator (SPEC §11).
Its metrics count them (SPEC §13)."""

import functions_framework

from shared.entrypoints import http
from shared.platform import metrics
from shared.platform.db import read_engine
from shared.read import views
from shared.read.views import PageQuery


@functions_framework.http
@http.endpoint("GET", needs=("ADMIN_API_KEY",))
def list_ambiguities(request):
    http.authenticate_admin(request)
    query = http.parse_query(request, PageQuery)
    with read_engine().connect() as connection:
        return views.ambiguity_sets(connection, query), 200


@metrics.sampled
def ambiguities_open():
    with read_engine().connect() as connection:
        return [
            metrics.gauge(
                "receipts_ambiguities_open",
                "Ambiguity sets waiting for the operator",
                views.open_ambiguity_sets(connection),
            )
        ]
