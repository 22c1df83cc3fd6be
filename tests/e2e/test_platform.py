"""`make run`'s platform: one entry point, supervised functions, clean stop."""

import hashlib
import hmac
import json
import os
import re
import signal
import socket
import subprocess
import sys
import uuid

import pytest
import requests
from sqlalchemy import create_engine, text

from runtime import stack
from runtime.run import free_port
from tests.conftest import BASE, ROOT, TEST_ENV, drop_database, recreate_vhost
from tests.e2e.conftest import start_platform, wait_until
from tests.support import ADMIN_API_KEY, LOCAL_CALLBACK, bearer, payment_body, receipt_body, remember


def register(http, platform, kind):
    response = http.post(
        f"{platform.url}/v1/admin/{kind}s",
        json={"name": f"{kind} e2e", "callback_url": LOCAL_CALLBACK},
        headers=bearer(ADMIN_API_KEY),
    )
    assert response.status_code == 201, response.text
    remember(response.json()["api_key"], response.json()["webhook_secret"])
    return response.json()


def test_a_receipt_and_a_payment_go_through_the_gateway(platform, http):
    merchant, bank = register(http, platform, "merchant"), register(http, platform, "bank")
    receipt = http.post(f"{platform.url}/v1/receipts", json=receipt_body(), headers=bearer(merchant["api_key"]))
    payment = http.post(f"{platform.url}/v1/payments", json=payment_body(), headers=bearer(bank["api_key"]))
    assert (receipt.status_code, payment.status_code) == (201, 201)
    assert receipt.headers["Content-Type"] == "application/json"


def test_the_gateway_passes_each_refusal_through(platform, http):
    merchant = register(http, platform, "merchant")
    url, key = f"{platform.url}/v1/receipts", bearer(merchant["api_key"])
    assert (
        http.post(url, data="x" * (300 * 1024), headers={**key, "Content-Type": "application/json"}).status_code == 413
    )
    assert http.post(url, data={"a": "b"}, headers=key).status_code == 415
    assert http.post(url, data="{", headers={**key, "Content-Type": "application/json"}).status_code == 400
    assert http.post(url, json=receipt_body()).status_code == 401


def test_unknown_paths_and_methods_get_spec_errors(platform, http):
    missing = http.get(f"{platform.url}/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    wrong = http.delete(f"{platform.url}/v1/payments")
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "method_not_allowed"
    assert wrong.headers["Allow"] == "POST"  # RFC 9110: a 405 says which methods the path takes
    receipt = http.put(f"{platform.url}/v1/receipts/{uuid.uuid4()}")
    assert receipt.status_code == 405 and receipt.headers["Allow"] == "GET"
    # A concrete path before a templated one it also fits (/v1/receipts/{id}), as OpenAPI reads them.
    lookup = http.get(f"{platform.url}/v1/receipts/lookup")
    assert lookup.status_code == 405 and lookup.headers["Allow"] == "POST"
    # A path the function's own router refuses (a newline in it) still gets the SPEC's JSON.
    odd = http.get(f"{platform.url}/v1/accounts/a%0Ab/payments", headers={"Authorization": "Bearer x"})
    assert odd.status_code == 404 and odd.json()["error"]["code"] == "not_found"


def test_what_the_gateway_cannot_read_gets_spec_errors(platform, http):
    """What nginx refuses before any route is chosen: JSON as well, never its HTML pages."""
    long_query = http.get(f"{platform.url}/v1/receipts", params={"cursor": "c" * 9000})
    assert long_query.status_code == 414 and long_query.json()["error"]["code"] == "uri_too_long"
    long_header = http.get(f"{platform.url}/v1/receipts", headers={"Authorization": "Bearer " + "k" * 9000})
    assert long_header.status_code == 400 and long_header.json()["error"]["code"] == "bad_request"
    with socket.create_connection(("127.0.0.1", platform.port), timeout=5) as garbage:
        garbage.sendall(b"NOT HTTP\r\n\r\n")
        head, _, body = garbage.makefile("rb").read().partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and json.loads(body)["error"]["code"] == "bad_request"
    # Where those answers live inside the gateway is nobody's endpoint.
    for path in ("/_/gateway/414", "/_/gateway/400"):
        inside = http.get(f"{platform.url}{path}")
        assert inside.status_code == 404 and inside.json()["error"]["code"] == "not_found"


def test_healthz_reports_each_database(platform, http):
    response = http.get(f"{platform.url}/healthz")
    assert response.status_code == 200
    assert response.json()["dependencies"] == {"write_database": "up", "read_database": "up", "rabbitmq": "up"}


def test_openapi_is_served_and_generated_from_the_models(platform, http):
    from shared.entrypoints.openapi import document

    served = http.get(f"{platform.url}/openapi.json").json()
    assert served == document()
    assert "ReceiptSubmission" in served["components"]["schemas"]


def test_make_run_serves_the_functions_and_triggers_of_the_template(platform):
    # compose.yaml runs the same set: tests/unit/test_descriptors.py
    functions = stack.load()
    triggers = {f"{function.name}-trigger" for function in functions if function.queue_triggered}
    triggers |= {"cron-trigger"} if any(function.scheduled for function in functions) else set()
    ready = json.loads(next(line for line in platform.log_text().splitlines() if '"platform.ready"' in line))
    assert set(ready["functions"]) == {function.name for function in functions}
    assert set(ready["triggers"]) == triggers


def test_every_http_function_in_the_template_is_routed(platform, http):
    for route in (route for function in stack.load() for route in function.routes):
        path = re.sub(r"\{[a-z_]+\}", "x", route.path)
        response = http.request(route.method, f"{platform.url}{path}")
        assert not (response.status_code == 404 and response.json()["error"]["message"] == "no such endpoint"), route


def test_a_killed_function_process_is_started_again(platform, http):
    merchant = register(http, platform, "merchant")
    [victim] = [pid for pid in platform.children() if "submit_receipt" in open(f"/proc/{pid}/cmdline").read()]
    exits = platform.exits("submit-receipt")
    os.kill(victim, signal.SIGKILL)
    # Until the supervisor has ended the victim's worker too: an orphaned worker would
    # still take a request, and be killed while it answers.
    wait_until(lambda: platform.exits("submit-receipt") > exits, message="the supervisor to notice")

    def accepted():
        try:
            response = requests.post(
                f"{platform.url}/v1/receipts", json=receipt_body(), headers=bearer(merchant["api_key"]), timeout=5
            )
        except requests.ConnectionError:
            return False
        return response.status_code == 201

    wait_until(accepted, timeout=30, interval=0.2, message="submit_receipt to serve again")
    assert victim not in platform.children()


SIDE_WRITE = f"{BASE}/receipts_write_side_test"
SIDE_READ = f"{BASE}/receipts_read_side_test"


@pytest.fixture(scope="module")
def side_platform(databases):
    """A second platform beside the first: its own port and its own databases."""
    for url in (SIDE_WRITE, SIDE_READ):
        drop_database(url)
    recreate_vhost("receipts-side-test")
    # Only what these tests call: a whole platform takes some 20 s to start on 2 cores.
    platform = start_platform(
        "platform-side",
        WRITE_DATABASE_URL=SIDE_WRITE,
        READ_DATABASE_URL=SIDE_READ,
        AMQP_URL="amqp://guest:guest@127.0.0.1:5672/receipts-side-test",
        FUNCTIONS="healthz,create-merchant,submit-receipt,project-read-model",
    )
    yield platform
    if platform.process.poll() is None:
        platform.stop()


def test_two_platforms_run_side_by_side_on_their_own_databases(platform, side_platform, http):
    merchant = register(http, side_platform, "merchant")
    body = receipt_body()
    assert (
        http.post(f"{side_platform.url}/v1/receipts", json=body, headers=bearer(merchant["api_key"])).status_code == 201
    )
    count = "SELECT count(*) FROM receipts WHERE merchant_receipt_id = :id"
    with create_engine(SIDE_WRITE).connect() as side, create_engine(TEST_ENV["WRITE_DATABASE_URL"]).connect() as main:
        assert side.execute(text(count), {"id": body["merchant_receipt_id"]}).scalar_one() == 1
        assert main.execute(text(count), {"id": body["merchant_receipt_id"]}).scalar_one() == 0
    assert http.get(f"{platform.url}/healthz").status_code == 200


def test_sigterm_stops_everything_within_5_seconds(side_platform):
    children = side_platform.descendants()
    assert len(children) > len(side_platform.children())  # gunicorn workers under each function
    side_platform.process.send_signal(signal.SIGTERM)
    assert side_platform.process.wait(timeout=5) == 0
    assert all(
        not os.path.exists(f"/proc/{pid}") or "zombie" in open(f"/proc/{pid}/status").read().lower() for pid in children
    )
    assert '"platform.stopped"' in side_platform.log_text()


def test_a_function_runs_alone_and_reports_503_without_postgres(databases):
    port = free_port()
    env = {**os.environ, **TEST_ENV, "WRITE_DATABASE_URL": "postgresql+pg8000://postgres@127.0.0.1:1/nowhere"}
    process = subprocess.Popen(
        [sys.executable, "-m", "runtime.serve", "--target", "healthz", "--port", str(port), "--host", "127.0.0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def answer():
            try:
                return [requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)]
            except requests.ConnectionError:
                return None

        [response] = wait_until(answer, message="the healthz function to listen")
        assert response.status_code == 503
        assert response.headers["Retry-After"]
        assert response.json()["dependencies"] == {"write_database": "down", "read_database": "up", "rabbitmq": "up"}
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_function_takes_its_secrets_from_the_files_an_engine_mounts(databases, tmp_path):
    (tmp_path / "admin-api-key").write_text("operator-key-from-a-file\n")
    (tmp_path / "platform-secret").write_text("platform-secret-from-a-file\n")
    remember("operator-key-from-a-file", "platform-secret-from-a-file")
    port = free_port()
    env = {
        key: value
        for key, value in {**os.environ, **TEST_ENV}.items()
        if key not in ("ADMIN_API_KEY", "PLATFORM_SECRET")
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "runtime.serve",
            "--target",
            "create_merchant",
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
        ],
        cwd=ROOT,
        env={**env, "SECRETS_DIR": str(tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def ready():
            try:
                return requests.get(f"http://127.0.0.1:{port}/_/ready", timeout=5).status_code == 200
            except requests.ConnectionError:
                return False

        wait_until(ready, message="the function to be ready")
        body = {"name": "secrets from files", "callback_url": LOCAL_CALLBACK}
        url = f"http://127.0.0.1:{port}/"
        assert requests.post(url, json=body, headers=bearer(ADMIN_API_KEY), timeout=5).status_code == 401
        created = requests.post(url, json=body, headers=bearer("operator-key-from-a-file"), timeout=5)
        assert created.status_code == 201, created.text
        remember(created.json()["api_key"], created.json()["webhook_secret"])
        expected = hmac.new(
            b"platform-secret-from-a-file", f"webhook:{created.json()['id']}:1".encode(), hashlib.sha256
        ).hexdigest()
        assert created.json()["webhook_secret"] == f"whsec_{expected}"
    finally:
        process.terminate()
        process.wait(timeout=10)
