"""Shared fixtures. Every test talks to the real PostgreSQL, in databases of its own."""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path

import pytest

from shared.platform.config import RATE_LIMITS
from tests import support

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / ".artifacts"
LOG_FILE = ARTIFACTS / "logs.jsonl"

# Settings are read once per process: set the test environment before anything reads it.
BASE = "postgresql+pg8000://postgres:postgres@127.0.0.1:5432"
TEST_ENV = {
    "WRITE_DATABASE_URL": f"{BASE}/receipts_write_test",
    "READ_DATABASE_URL": f"{BASE}/receipts_read_test",
    "SIM_DATABASE_URL": f"{BASE}/receipts_sim_test",
    "AMQP_URL": "amqp://guest:guest@127.0.0.1:5672/receipts-test",
    "ADMIN_API_KEY": support.ADMIN_API_KEY,
    "PLATFORM_SECRET": "test-platform-secret",
    "THREADS": "4",
    # The suite's parties call far beyond any till's pace (schemathesis above all): the
    # gateway's limits are tested on gateways of their own (tests/e2e/test_limits.py).
    **{f"RATE_LIMIT_{name.upper()}": "100000" for name in RATE_LIMITS},
}
os.environ.update(TEST_ENV)
os.environ.pop("FLUENT_HOST", None)
support.remember(support.ADMIN_API_KEY)


def pytest_collection_modifyitems(items):
    """The audit reads what every other test left behind, so it runs last."""
    items.sort(key=lambda item: item.get_closest_marker("audit") is not None)


def drop_database(url: str) -> None:
    import pg8000.native
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    admin = pg8000.native.Connection(user="postgres", host="127.0.0.1", database="postgres")
    try:
        admin.run(f"DROP DATABASE IF EXISTS {pg8000.native.identifier(database)} WITH (FORCE)")
    finally:
        admin.close()


def _recreate(url: str, model: str) -> None:
    from shared.platform.migrate import migrate

    drop_database(url)
    migrate(url, model)


def recreate_vhost(name: str) -> None:
    """An empty RabbitMQ virtual host: no queue or message of an earlier run survives."""
    for command in (
        ["delete_vhost", name],
        ["add_vhost", name],
        ["set_permissions", "-p", name, "guest", ".*", ".*", ".*"],
    ):
        subprocess.run(
            ["rabbitmqctl", "-q", *command], capture_output=True, timeout=60, check=command[0] != "delete_vhost"
        )


@pytest.fixture(scope="session", autouse=True)
def databases():
    """Fresh test databases and broker vhost, set up from scratch once per run."""
    recreate_vhost("receipts-test")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    LOG_FILE.write_text("")
    _recreate(TEST_ENV["WRITE_DATABASE_URL"], "write_model")
    _recreate(TEST_ENV["READ_DATABASE_URL"], "read_model")
    _recreate(TEST_ENV["SIM_DATABASE_URL"], "simulation")
    yield


@pytest.fixture(scope="session", autouse=True)
def captured_logs(databases):
    """Every log line the in-process functions write, kept for the audit."""
    from shared.platform import logs

    handler = logging.FileHandler(LOG_FILE)
    handler.setFormatter(logs.JsonFormatter())
    logging.getLogger("receipts").addHandler(handler)
    yield LOG_FILE
    logging.getLogger("receipts").removeHandler(handler)


@pytest.fixture(scope="session")
def write_engine(databases):
    from shared.platform.db import write_engine

    return write_engine()


class Functions:
    """Test clients of the functions, each built as its container serves it (runtime.serve)."""

    def __init__(self):
        self._clients = {}

    def __call__(self, target: str):
        if target not in self._clients:
            from runtime import serve

            self._clients[target] = serve.create_app(target).test_client()
        return self._clients[target]


@pytest.fixture(scope="session")
def functions(databases) -> Functions:
    return Functions()


def _register(functions: Functions, kind: str) -> dict:
    response = functions(f"create_{kind}").post(
        "/",
        json={"name": support.unique(kind), "callback_url": support.LOCAL_CALLBACK},
        headers=support.bearer(support.ADMIN_API_KEY),
    )
    assert response.status_code == 201, response.json
    party = response.json
    support.remember(party["api_key"], party["webhook_secret"])
    return party


@pytest.fixture
def merchant(functions) -> dict:
    return _register(functions, "merchant")


@pytest.fixture
def bank(functions) -> dict:
    return _register(functions, "bank")
