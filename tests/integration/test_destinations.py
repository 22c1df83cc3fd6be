"""Where callbacks go (SPEC §15): to https receivers whose certificate checks out, and in
production never inside a network, checked when a URL is registered and again before each
delivery, to the address checked."""

from __future__ import annotations

import os
import ssl
from http.server import BaseHTTPRequestHandler

import pytest

from runtime import certs
from shared.platform import destinations, outbound
from shared.platform.config import Settings
from shared.write import callbacks
from tests.support import ADMIN_API_KEY, QuietHandler, bearer, serve

PUBLIC = "93.184.215.14"  # a public address (no DNS needed)


@pytest.fixture
def configured(monkeypatch):
    """Settings from the test's environment with these changes, for destinations and outbound."""

    def use(**env: str) -> Settings:
        settings = Settings.from_env({**os.environ, **env})
        monkeypatch.setattr(destinations, "settings", lambda: settings)
        monkeypatch.setattr(outbound, "settings", lambda: settings)
        destinations._own_addresses.cache_clear()
        outbound._pool.cache_clear()
        return settings

    yield use
    destinations._own_addresses.cache_clear()
    outbound._pool.cache_clear()


@pytest.mark.parametrize(
    "url",
    [
        f"http://{PUBLIC}/hooks",  # plain http
        "https://127.0.0.1/hooks",
        "https://localhost:8443/hooks",
        "https://10.0.0.7/hooks",
        "https://172.16.3.4/hooks",
        "https://192.168.1.1/hooks",
        "https://169.254.169.254/latest/meta-data",  # a cloud's metadata service
        "https://100.64.0.1/hooks",
        "https://[::1]/hooks",
        "https://[fd00::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://[64:ff9b::a9fe:a9fe]/latest",  # NAT64 of 169.254.169.254
        "https://[2002:7f00:1::1]/hooks",  # 6to4 of 127.0.0.1
        "https://no-such-host.invalid/hooks",
    ],
)
def test_production_refuses_plain_http_and_every_address_inside_a_network(configured, url):
    configured(RECEIPTS_ENV="production")
    with pytest.raises(destinations.Refused):
        destinations.destination(url)


def test_production_calls_a_public_https_receiver_at_the_address_it_checked(configured):
    configured(RECEIPTS_ENV="production")
    assert destinations.destination(f"https://{PUBLIC}/hooks") == PUBLIC


def test_the_platforms_own_addresses_are_refused(configured):
    configured(RECEIPTS_ENV="production", PUBLIC_URL=f"https://{PUBLIC}")
    with pytest.raises(destinations.Refused, match="platform's own"):
        destinations.destination(f"https://{PUBLIC}:8443/hooks")


def test_an_allowed_host_takes_http_and_any_address_and_development_takes_anything(configured):
    configured(RECEIPTS_ENV="production", CALLBACK_ALLOWED_HOSTS="gateway, Sim.Example")
    assert destinations.destination("http://sim.example:8080/sim/bank/callbacks") is None
    configured(RECEIPTS_ENV="development")
    assert destinations.destination("http://127.0.0.1:9/hooks") is None


def test_registration_in_production_refuses_a_url_inside_the_network_and_onboards_no_one(
    configured, functions, write_engine
):
    from sqlalchemy import text

    configured(RECEIPTS_ENV="production")
    response = functions("create_bank").post(
        "/", json={"name": "Rebinder", "callback_url": "https://10.1.2.3/hooks"}, headers=bearer(ADMIN_API_KEY)
    )
    assert response.status_code == 422
    [detail] = response.json["error"]["details"]
    assert detail["field"] == "callback_url" and detail["code"] == "callback_url_not_allowed"
    assert "10.1.2.3" in detail["message"]
    with write_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM banks WHERE name = 'Rebinder'")).scalar_one() == 0


class _Recorder(QuietHandler, BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        _Recorder.seen.append(dict(self.headers))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_delivery_checks_the_url_again_and_sends_nothing_where_it_may_not_go(configured):
    _Recorder.seen.clear()
    server = serve(_Recorder)
    url = f"http://127.0.0.1:{server.server_port}/hooks"
    configured(RECEIPTS_ENV="development")  # registered while it was allowed, say
    assert callbacks.post(url, b"{}", {}).delivered
    configured(RECEIPTS_ENV="production")
    answer = callbacks.post(url, b"{}", {})
    assert not answer.delivered and answer.error.startswith("refused: ")
    assert len(_Recorder.seen) == 1
    server.shutdown()


def test_a_pinned_delivery_goes_to_the_address_checked_in_the_urls_name():
    _Recorder.seen.clear()
    server = serve(_Recorder)
    # The name would resolve nowhere (or, rebound, anywhere): the connection goes to the address.
    response = outbound.post(f"http://rebound.invalid:{server.server_port}/hooks", b"{}", {}, address="127.0.0.1")
    assert response.status == 200
    assert _Recorder.seen[-1]["Host"] == f"rebound.invalid:{server.server_port}"
    server.shutdown()


def test_an_https_receivers_certificate_is_verified_against_the_configured_cas(configured, tmp_path):
    made = certs.make(tmp_path)
    _Recorder.seen.clear()
    server = serve(_Recorder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(made.gateway_cert, made.gateway_key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    url = f"https://localhost:{server.server_port}/hooks"

    configured()  # the system's CAs, which never signed this certificate
    refused = callbacks.post(url, b"{}", {})
    assert not refused.delivered and refused.error == "SSLError" and _Recorder.seen == []
    configured(OUTBOUND_CA_BUNDLE=str(made.ca))
    assert callbacks.post(url, b"{}", {}).delivered
    # In the URL's name, at the address checked: the certificate is still checked for the name.
    assert outbound.post(url, b"{}", {}, address="127.0.0.1").status == 200
    server.shutdown()
