"""GET /healthz: each dependency's state; 503 while one is down (SPEC §4)."""

import functions_framework

from shared.entrypoints import health, http


@functions_framework.http
@http.endpoint("GET")
def healthz(request):
    report = health.check()
    return report, 200 if report.status == "ok" else 503
