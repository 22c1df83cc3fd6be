"""`make run`'s platform: one entry point, supervised functions, clean stop (issue 2)."""

import os
import re
import signal
import subprocess
import sys

import requests
import yaml

from runtime import stack
from runtime.run import free_port
from tests.conftest import ROOT, TEST_ENV
from tests.e2e.conftest import start_platform, wait_until
from tests.support import ADMIN_API_KEY, bearer, payment_body, receipt_body, remember

INFRASTRUCTURE = {"postgres", "rabbitmq", "fluentd", "migrate", "gateway"}


def register(http, platform, kind):
    response = http.post(
        f"{platform.url}/v1/admin/{kind}s",
        json={"name": f"{kind} e2e", "callback_url": "https://example.com/cb"},
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
    assert http.post(url, data="x" * (300 * 1024), headers={**key, "Content-Type": "application/json"}).status_code == 413
    assert http.post(url, data={"a": "b"}, headers=key).status_code == 415
    assert http.post(url, data="{", headers={**key, "Content-Type": "application/json"}).status_code == 400
    assert http.post(url, json=receipt_body()).status_code == 401


def test_unknown_paths_and_methods_get_spec_errors(platform, http):
    missing = http.get(f"{platform.url}/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    wrong = http.delete(f"{platform.url}/v1/payments")
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "method_not_allowed"


def test_healthz_reports_each_database(platform, http):
    response = http.get(f"{platform.url}/healthz")
    assert response.status_code == 200
    assert response.json()["dependencies"] == {"write_database": "up", "read_database": "up"}


def test_openapi_is_served_and_generated_from_the_models(platform, http):
    from shared.openapi import document

    served = http.get(f"{platform.url}/openapi.json").json()
    assert served == document()
    assert "ReceiptSubmission" in served["components"]["schemas"]


def test_descriptors_name_the_functions_make_run_serves(platform):
    template = {function.name for function in stack.load()}
    compose = set(yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]) - INFRASTRUCTURE
    ready = next(line for line in platform.log_text().splitlines() if '"platform.ready"' in line)
    served = set(re.search(r'"functions":\[(.*?)\]', ready).group(1).replace('"', "").split(","))
    assert template == compose == served


def test_every_http_function_in_the_template_is_routed(platform, http):
    for function in stack.load():
        path = re.sub(r"\{[a-z_]+\}", "x", function.route.path)
        response = http.request(function.route.method, f"{platform.url}{path}")
        assert not (response.status_code == 404 and response.json()["error"]["message"] == "no such endpoint")


def test_a_killed_function_process_is_started_again(platform, http):
    merchant = register(http, platform, "merchant")
    [victim] = [pid for pid in platform.children() if "submit_receipt" in open(f"/proc/{pid}/cmdline").read()]
    os.kill(victim, signal.SIGKILL)
    wait_until(lambda: '"function.exited"' in platform.log_text(), message="the supervisor to notice")

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


def test_sigterm_stops_everything_within_5_seconds(databases):
    platform = start_platform("platform-sigterm")
    children = platform.children()
    assert children
    platform.process.send_signal(signal.SIGTERM)
    assert platform.process.wait(timeout=5) == 0
    assert all(not os.path.exists(f"/proc/{pid}") or "zombie" in open(f"/proc/{pid}/status").read().lower()
               for pid in children)


def test_a_function_runs_alone_and_reports_503_without_postgres(databases):
    port = free_port()
    env = {**os.environ, **TEST_ENV, "WRITE_DATABASE_URL": "postgresql+pg8000://postgres@127.0.0.1:1/nowhere"}
    process = subprocess.Popen(
        [sys.executable, "-m", "functions_framework", "--target", "healthz",
         "--source", "functions/healthz/main.py", "--port", str(port), "--host", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
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
        assert response.json()["dependencies"] == {"write_database": "down", "read_database": "up"}
    finally:
        process.terminate()
        process.wait(timeout=10)
