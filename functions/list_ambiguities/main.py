"""GET /v1/admin/ambiguities: the open ambiguity sets, oldest first, for the operator (SPEC §11)."""

import functions_framework

from shared import http, views
from shared.db import read_engine
from shared.views import PageQuery


@functions_framework.http
@http.endpoint("GET")
def list_ambiguities(request):
    http.authenticate_admin(request)
    query = http.parse_query(request, PageQuery)
    with read_engine().connect() as connection:
        return views.ambiguity_sets(connection, query), 200
