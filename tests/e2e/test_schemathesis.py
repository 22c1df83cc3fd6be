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
        response = http.post(f"{platform.url}/v1/admin/{kind}s",
                             json={"name": "fuzz", "callback_url": LOCAL_CALLBACK}, headers=bearer(ADMIN_API_KEY))
        keys[kind] = response.json()["api_key"]
        remember(keys[kind], response.json()["webhook_secret"])
    return keys


@pytest.mark.parametrize("role", ["operator", "merchant", "bank"])
def test_schemathesis_with_every_check_finds_nothing(platform, keys, role):
    # The repository's schemathesis.toml is read from the working directory.
    run = subprocess.run(
        [*SCHEMATHESIS, "run", f"{platform.url}/openapi.json", "--checks", "all", "--no-color",
         "--max-examples", str(MAX_EXAMPLES), "--workers", "1", "--header", f"Authorization: Bearer {keys[role]}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    (ROOT / "tests" / ".artifacts" / f"schemathesis-{role}.txt").write_text(run.stdout + run.stderr)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert " passed" in run.stdout.split("SUMMARY")[-1]  # it ran, and every case passed
