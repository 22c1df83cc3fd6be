"""HTTPS at the gateway, client certificates on banks' routes, and banks bound to theirs
(SPEC §15), on a platform of its own serving certificates made here."""

from __future__ import annotations

import http.client
import json
import ssl
import subprocess

import pytest
import requests

from runtime import certs
from shared.platform.config import CLIENT_CERTIFICATE_SUBJECT
from tests.e2e.conftest import start_platform
from tests.support import ADMIN_API_KEY, bearer, payment_body, receipt_body, wait_until

FUNCTIONS = "healthz,submit-receipt,submit-payment,lookup-receipt,get-reconciliation"


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> certs.Certificates:
    return certs.make(tmp_path_factory.mktemp("certs"), "Audited Bank")


@pytest.fixture(scope="module")
def tls_platform(databases, made):
    platform = start_platform(
        "tls",
        FUNCTIONS=FUNCTIONS,
        GATEWAY_TLS_CERT=str(made.gateway_cert),
        GATEWAY_TLS_KEY=str(made.gateway_key),
        GATEWAY_CLIENT_CA=str(made.ca),
    )
    yield f"https://127.0.0.1:{platform.port}"
    platform.stop()


def call(url: str, made: certs.Certificates, method: str, path: str, key: str, cert=None, **kwargs):
    return requests.request(
        method, f"{url}{path}", headers=bearer(key), verify=made.ca, cert=cert, timeout=10, **kwargs
    )


def handshake(port: int, made: certs.Certificates, lowest: ssl.TLSVersion, highest: ssl.TLSVersion) -> str:
    context = ssl.create_default_context(cafile=made.ca)
    context.minimum_version, context.maximum_version = lowest, highest
    context.set_ciphers("DEFAULT:@SECLEVEL=0")  # else this side would not even offer TLS 1.1
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
    try:
        connection.request("GET", "/healthz")
        return connection.sock.version()
    finally:
        connection.close()


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion:DeprecationWarning")
def test_https_speaks_tls_1_2_and_up_with_hsts_and_refuses_plain_http(tls_platform, made):
    health = requests.get(f"{tls_platform}/healthz", verify=made.ca, timeout=10)
    assert health.status_code == 200
    assert health.headers["Strict-Transport-Security"] == "max-age=63072000"
    port = int(tls_platform.rsplit(":", 1)[1])

    versions = ssl.TLSVersion
    assert handshake(port, made, versions.TLSv1_2, versions.TLSv1_2) == "TLSv1.2"
    assert handshake(port, made, versions.TLSv1_3, versions.TLSv1_3) == "TLSv1.3"
    with pytest.raises(ssl.SSLError):
        handshake(port, made, versions.TLSv1, versions.TLSv1_1)

    plain = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
    assert plain.status_code == 400 and plain.json()["error"]["code"] == "https_required"


def test_banks_routes_take_a_client_certificate_and_merchants_routes_do_not(tls_platform, made, merchant, bank):
    refused = call(tls_platform, made, "POST", "/v1/payments", bank["api_key"], json=payment_body())
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "client_certificate_required"
    assert refused.headers["Strict-Transport-Security"] == "max-age=63072000"
    lookup = call(tls_platform, made, "POST", "/v1/receipts/lookup", bank["api_key"], json={})
    assert lookup.status_code == 403
    certificate = (made.bank_cert, made.bank_key)
    accepted = call(tls_platform, made, "POST", "/v1/payments", bank["api_key"], certificate, json=payment_body())
    assert accepted.status_code == 201, accepted.text
    receipt = call(tls_platform, made, "POST", "/v1/receipts", merchant["api_key"], json=receipt_body())
    assert receipt.status_code == 201, receipt.text


def test_a_bound_bank_is_refused_with_another_certificate_or_none_and_a_forged_header_is_ignored(
    tls_platform, made, bank, functions, tmp_path
):
    bound = functions("update_party").patch(
        f"/v1/admin/banks/{bank['id']}", json={"client_cert_subject": made.bank_subject}, headers=bearer(ADMIN_API_KEY)
    )
    assert bound.status_code == 200, bound.json
    own = (made.bank_cert, made.bank_key)
    other = certs.client_certificate(made.ca.parent, "other", "Other Bank")
    path = "/v1/reconciliation"  # a route banks share with merchants: no certificate needed to reach it

    def status(certificate=None, headers=None) -> int:
        return requests.get(
            f"{tls_platform}{path}",
            headers=bearer(bank["api_key"]) | (headers or {}),
            verify=made.ca,
            cert=certificate,
            timeout=10,
        ).status_code

    # A binding reaches every function process within a second (the key cache).
    wait_until(lambda: status() == 403, timeout=5, message="the binding in force")
    assert status(certificate=own) == 200
    assert status(certificate=other) == 403
    assert status() == 403
    assert status(headers={CLIENT_CERTIFICATE_SUBJECT: made.bank_subject}) == 403
    answer = requests.get(f"{tls_platform}{path}", headers=bearer(bank["api_key"]), verify=made.ca, timeout=10)
    assert answer.json()["error"]["code"] == "client_certificate_mismatch"

    # curl, as a bank's core system might call: its certificate, and the CA to check ours.
    result = subprocess.run(
        ["curl", "-s", "--cacert", made.ca, "--cert", made.bank_cert, "--key", made.bank_key,
         "-H", f"Authorization: Bearer {bank['api_key']}", "-H", "Content-Type: application/json",
         "-d", json.dumps(payment_body()), "-o", "/dev/null", "-w", "%{http_code}", f"{tls_platform}/v1/payments"],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    assert result.stdout == "201"


def test_a_forged_certificate_header_is_ignored_without_tls_too(platform, bank, functions):
    functions("update_party").patch(
        f"/v1/admin/banks/{bank['id']}", json={"client_cert_subject": "CN=forged"}, headers=bearer(ADMIN_API_KEY)
    )
    answer = requests.get(
        f"{platform.url}/v1/reconciliation",
        headers=bearer(bank["api_key"]) | {CLIENT_CERTIFICATE_SUBJECT: "CN=forged"},
        timeout=10,
    )
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "client_certificate_mismatch"


def test_a_client_certificate_of_another_ca_is_refused_in_json(tls_platform, made, bank, tmp_path):
    stranger = certs.make(tmp_path / "stranger", "Stranger Bank")
    refused = call(
        tls_platform, made, "POST", "/v1/payments", bank["api_key"], (stranger.bank_cert, stranger.bank_key),
        json=payment_body(),
    )  # fmt: skip
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "client_certificate_invalid"
