"""GET /v1/reconciliation?date=YYYY-MM-DD: the day's reconciliation report, scoped to the
caller (a merchant or a bank sees its own; the operator key sees all).

JSON by default; with Accept: text/html, the dashboard with the daily match rate.
"""

import functions_framework

from shared.entrypoints import http
from shared.platform.db import read_engine, write_engine
from shared.read import render, report, views


@functions_framework.http
@http.endpoint("GET")
def get_reconciliation(request):
    party = http.authenticate_party_or_operator(request)
    query = http.parse_query(request, report.ReportQuery)
    html = http.wants_html(request)
    with read_engine().connect() as connection:
        body = report.reconciliation(connection, party, query)
        # The operator's dashboard lists what waits for a decision (parties see only their own counts).
        sets = views.ambiguity_sets(connection, views.PageQuery(limit=50))["items"] if html and party is None else None
    if not html:
        return body, 200
    audit = None
    if party is None:  # the audit trail is the write model's: it is not projected
        with write_engine().connect() as connection:
            audit = views.audit_entries(connection, views.AuditQuery(limit=20))["items"]
    return http.html_response(render.reconciliation_html(body, sets, audit), render.HEADERS)
