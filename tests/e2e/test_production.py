"""A platform in production mode (RECEIPTS_ENV=production) refuses, through its gateway,
callback URLs it would not call (SPEC §15)."""

from __future__ import annotations

import pytest
import requests

from tests.e2e.conftest import start_platform
from tests.support import ADMIN_API_KEY, bearer, remember


@pytest.fixture(scope="module")
def production(databases):
    platform = start_platform(
        "production",
        FUNCTIONS="healthz,create-merchant,update-party",
        RECEIPTS_ENV="production",
        CALLBACK_ALLOWED_HOSTS="sim.example",
    )
    yield platform.url
    platform.stop()


def onboard(url: str, callback_url: str) -> requests.Response:
    response = requests.post(
        f"{url}/v1/admin/merchants",
        json={"name": "Production cafe", "callback_url": callback_url},
        headers=bearer(ADMIN_API_KEY),
        timeout=10,
    )
    if response.status_code == 201:
        remember(response.json()["api_key"], response.json()["webhook_secret"])
    return response


@pytest.mark.parametrize(
    "callback_url", ["http://93.184.215.14/hooks", "https://169.254.169.254/latest", "https://localhost/hooks"]
)
def test_plain_http_and_addresses_inside_a_network_are_refused(production, callback_url):
    response = onboard(production, callback_url)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["code"] == "callback_url_not_allowed"


def test_a_public_https_receiver_and_an_allowed_host_are_taken_and_a_patch_is_checked_too(production):
    assert onboard(production, "https://93.184.215.14/hooks").status_code == 201
    merchant = onboard(production, "http://sim.example/sim/merchant/callbacks")
    assert merchant.status_code == 201
    moved = requests.patch(
        f"{production}/v1/admin/merchants/{merchant.json()['id']}",
        json={"callback_url": "https://10.0.0.1/hooks"},
        headers=bearer(ADMIN_API_KEY),
        timeout=10,
    )
    assert moved.status_code == 422 and moved.json()["error"]["details"][0]["field"] == "callback_url"
