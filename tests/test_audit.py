"""After the whole suite: no full PAN, API key or secret in the databases or the logs."""

import subprocess

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import ARTIFACTS, TEST_ENV
from tests.support import SENSITIVE

pytestmark = pytest.mark.audit


def dump(url: str) -> str:
    database = make_url(url).database
    return subprocess.run(
        ["pg_dump", "--data-only", "-h", "127.0.0.1", "-U", "postgres", database],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_the_suite_handled_real_secrets():
    # Guards the audit itself: it must have something to look for.
    assert any(secret.startswith("rcpt_mk_") for secret in SENSITIVE)
    assert any(secret.isdigit() and len(secret) >= 12 for secret in SENSITIVE)


def test_no_pan_key_or_secret_in_the_write_model_dump():
    text = dump(TEST_ENV["WRITE_DATABASE_URL"])
    assert "receipts.receipt.submitted.v1" in text  # the dump is real and has data
    leaked = sorted(secret for secret in SENSITIVE if secret in text)
    assert leaked == []


def test_no_pan_key_or_secret_in_the_logs():
    logs = "".join(path.read_text(errors="replace") for path in ARTIFACTS.glob("*.log*"))
    assert '"request.rejected"' in logs  # the capture is real and has events
    leaked = sorted(secret for secret in SENSITIVE if secret in logs)
    assert leaked == []
