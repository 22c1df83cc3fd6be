"""/openapi.json is exactly true: schemathesis, every check, every phase (examples,
coverage, fuzzing, stateful), against the running platform with each role's key finds
nothing (SPEC §10). Bounded here; `make fuzz` runs the same without the bound."""

import subprocess
from pathlib import Path

import pytest

from tests.support import ADMIN_API_KEY, LOCAL_CALLBACK, SCHEMATHESIS, bearer, remember

ROOT = Path(__file__).resolve().parents[2]
MAX_EXAMPLES = 25


@pytest.fixture(scope="module")
def keys(platform, http):
    keys = {"operator": ADMIN_API_KEY}
    for kind in ("merchant", "bank"):
        response = http.post(
            f"{platform.url}/v1/admin/{kind}s",
            json={"name": "fuzz", "callback_url": LOCAL_CALLBACK},
            headers=bearer(ADMIN_API_KEY),
        )
        keys[kind] = response.json()["api_key"]
        remember(keys[kind], response.json()["webhook_secret"])
    return keys


ROLES = ("operator", "merchant", "bank")


@pytest.fixture(scope="module")
def runs(platform, keys):
    """The three roles' runs at once: each spends most of its time waiting for the platform."""
    started = {
        role: subprocess.Popen(
            [
                *SCHEMATHESIS,
                "run",
                f"{platform.url}/openapi.json",
                "--checks",
                "all",
                "--no-color",
                "--max-examples",
                str(MAX_EXAMPLES),
                "--workers",
                "1",
                "--header",
                f"Authorization: Bearer {keys[role]}",
            ],
            # The repository's schemathesis.toml is read from the working directory.
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for role in ROLES
    }
    yield started
    for run in started.values():
        run.kill()
        run.wait()


@pytest.mark.parametrize("role", ROLES)
def test_schemathesis_with_every_check_finds_nothing(runs, role):
    output, _ = runs[role].communicate(timeout=300)
    (ROOT / "tests" / ".artifacts" / f"schemathesis-{role}.txt").write_text(output)
    assert runs[role].returncode == 0, output[-8000:]
    assert " passed" in output.split("SUMMARY")[-1]  # it ran, and every case passed
