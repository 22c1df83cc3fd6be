"""GET /v1/admin/audit: the audit trail of privileged actions, newest first (SPEC §15)."""

import functions_framework

from shared.entrypoints import http
from shared.platform.db import write_engine
from shared.read import views
from shared.read.views import AuditQuery


@functions_framework.http
@http.endpoint("GET", needs=("ADMIN_API_KEY",))
def list_audit_entries(request):
    http.authenticate_admin(request)
    query = http.parse_query(request, AuditQuery)
    with write_engine().connect() as connection:
        return views.audit_entries(connection, query), 200
