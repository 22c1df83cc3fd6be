"""The clients integrators install (docs/clients.md): what is committed is what the
generators make of today's OpenAPI document, and both type-check."""

import filecmp
import subprocess
import sys
from pathlib import Path

from runtime import clients
from tests.conftest import ROOT


def differences(committed: Path, generated: Path) -> list[str]:
    """Every file that is in only one of the two trees, or differs between them."""
    comparison = filecmp.dircmp(committed, generated, ignore=["__pycache__", ".mypy_cache"])
    found = [str(Path(committed, name)) for name in comparison.left_only + comparison.right_only]
    _, mismatch, errors = filecmp.cmpfiles(committed, generated, comparison.common_files, shallow=False)
    found += [str(Path(committed, name)) for name in mismatch + errors]
    for directory in comparison.common_dirs:
        found += differences(committed / directory, generated / directory)
    return found


def test_the_committed_clients_are_what_the_generators_make_of_todays_document(tmp_path):
    clients.generate(tmp_path)
    drift = differences(clients.CLIENTS / clients.PYTHON_PACKAGE, tmp_path / clients.PYTHON_PACKAGE)
    if not filecmp.cmp(clients.CLIENTS / clients.TYPESCRIPT_TYPES, tmp_path / clients.TYPESCRIPT_TYPES, shallow=False):
        drift.append(str(clients.CLIENTS / clients.TYPESCRIPT_TYPES))
    assert drift == [], f"run make clients and commit what it changes: {drift}"


def test_the_python_client_and_its_helpers_pass_mypy():
    # With the package's own configuration (clients/python/pyproject.toml), as an integrator's checker reads it.
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "-p", "receipts_platform_client", "-p", "receipts_platform_helpers"],
        cwd=ROOT / "clients" / "python",
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_typescript_example_type_checks_against_the_generated_types():
    checked = subprocess.run(
        [clients.TYPESCRIPT_TOOLS / "tsc", "--noEmit", "-p", "."],
        cwd=ROOT / "clients" / "typescript",
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
