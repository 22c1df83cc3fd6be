"""The admin processes run from the command line against the configured platform."""

import os
import subprocess
import sys

from tests.conftest import ROOT, TEST_ENV


def admin(*args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "runtime.admin", *args], cwd=ROOT,
                            env={**os.environ, **TEST_ENV}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_dlq_lists_each_consumers_dead_letter_queue():
    assert "receipts.project-read-model.dlq:" in admin("dlq")


def test_redrive_reports_what_it_put_back():
    assert "put back on receipts.project-read-model" in admin("redrive", "project-read-model")


def test_an_unknown_consumer_is_refused_clearly():
    result = subprocess.run([sys.executable, "-m", "runtime.admin", "dlq", "nobody"], cwd=ROOT,
                            env={**os.environ, **TEST_ENV}, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "no queue-triggered function named 'nobody'" in result.stderr


def test_make_run_says_clearly_when_a_backing_service_is_down():
    for variable, value, words in [
        ("AMQP_URL", "amqp://guest:guest@127.0.0.1:1/%2F", "RabbitMQ is not reachable"),
        ("WRITE_DATABASE_URL", "postgresql+pg8000://postgres@127.0.0.1:1/nowhere", "PostgreSQL is not reachable"),
    ]:
        result = subprocess.run([sys.executable, "-m", "runtime.run", "migrate"], cwd=ROOT,
                                env={**os.environ, **TEST_ENV, variable: value}, capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 1 and words in result.stderr
