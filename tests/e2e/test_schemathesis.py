"""Property-based requests from /openapi.json against the running functions: never a 5xx."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from shared.openapi import document
from tests.support import LOCAL_CALLBACK, ADMIN_API_KEY, bearer, remember

schema = schemathesis.openapi.from_dict(document())

KEY_FOR = {"/v1/admin/merchants": "operator", "/v1/admin/banks": "operator", "/v1/receipts": "merchant",
           "/v1/receipts/{id}": "merchant", "/v1/payments": "bank", "/v1/accounts/{account_ref}/payments": "bank"}


@pytest.fixture(scope="module")
def keys(platform, http):
    keys = {"operator": ADMIN_API_KEY}
    for kind in ("merchant", "bank"):
        response = http.post(f"{platform.url}/v1/admin/{kind}s",
                             json={"name": "fuzz", "callback_url": LOCAL_CALLBACK}, headers=bearer(ADMIN_API_KEY))
        keys[kind] = response.json()["api_key"]
        remember(keys[kind], response.json()["webhook_secret"])
    return keys


@schema.parametrize()
@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_no_request_makes_a_function_fail(case, platform, keys):
    key = KEY_FOR.get(case.path)
    headers = bearer(keys[key]) if key else {}
    case.call_and_validate(base_url=platform.url, headers=headers,
                           checks=[not_a_server_error, response_schema_conformance])
