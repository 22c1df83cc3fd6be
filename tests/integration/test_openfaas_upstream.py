"""Beside OpenFaaS, the public gateway and the connectors call each function through the
OpenFaaS gateway, at http://<openfaas-gateway>/function/<name> (docs/deployment.md: OpenFaaS)."""

import re
import signal
import subprocess
from http.server import BaseHTTPRequestHandler

import pytest
import requests

from runtime import cron_trigger, nginx, stack
from runtime.queue_trigger import Invoker
from runtime.run import free_port
from tests.support import QuietHandler, serve, wait_until


class OpenFaaSGateway:
    """Stands in for the OpenFaaS gateway: records each call and answers 200."""

    def __init__(self):
        self.calls = []
        calls = self.calls

        class Handler(QuietHandler, BaseHTTPRequestHandler):
            def do_GET(self):
                self.do_POST()

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                calls.append((self.command, self.path, dict(self.headers), body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.server = serve(Handler)
        self.upstream = f"http://127.0.0.1:{self.server.server_port}/function/{{name}}"


@pytest.fixture
def openfaas():
    gateway = OpenFaaSGateway()
    yield gateway
    gateway.server.shutdown()


def test_the_public_gateway_routes_through_the_openfaas_gateway(openfaas, tmp_path):
    port = free_port()
    config = tmp_path / "nginx.conf"
    config.write_text(nginx.render(stack.load(), port=port, upstream=openfaas.upstream, prefix=str(tmp_path)))
    gateway = subprocess.Popen(nginx.command(config), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:

        def answered():
            try:
                return requests.get(f"http://127.0.0.1:{port}/v1/receipts/r-1?view=x", timeout=5)
            except requests.ConnectionError:
                return None

        assert wait_until(answered, message="the gateway to listen").status_code == 200
        requests.post(
            f"http://127.0.0.1:{port}/v1/receipts", json={"a": 1}, headers={"X-Request-Id": "req-42"}, timeout=5
        )
        assert [(method, path) for method, path, _, _ in openfaas.calls] == [
            ("GET", "/function/get-receipt/v1/receipts/r-1?view=x"),
            ("POST", "/function/submit-receipt/v1/receipts"),
        ]
        assert openfaas.calls[1][3] == b'{"a": 1}'
        # A request id: the client's passed through, else one made at the gateway.
        assert openfaas.calls[1][2]["X-Request-Id"] == "req-42"
        assert re.fullmatch(r"[0-9a-f]{32}", openfaas.calls[0][2]["X-Request-Id"])
    finally:
        gateway.send_signal(signal.SIGTERM)
        # As a container's first process too, the gateway ends on SIGTERM.
        assert gateway.wait(timeout=10) == 0


def test_the_connectors_call_functions_through_the_openfaas_gateway(openfaas):
    invoke = Invoker(openfaas.upstream.format(name="match"), timeout=5)
    assert invoke(b'{"specversion": "1.0"}', "receipts.payment.submitted.v1") == ("ack", "")
    [job] = [job for job in cron_trigger.jobs_for(openfaas.upstream, {}) if job.name == "reconcile"]
    job.fire()
    wait_until(lambda: len(openfaas.calls) == 2, message="the cron call")
    (_, queue_path, queue_headers, _), (_, cron_path, cron_headers, cron_body) = openfaas.calls
    assert (queue_path, queue_headers["X-Topic"]) == ("/function/match", "receipts.payment.submitted.v1")
    assert (cron_path, cron_body, cron_headers["X-Connector"]) == ("/function/reconcile", b"", "cron-connector")
    assert "Content-Type" not in cron_headers
