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
