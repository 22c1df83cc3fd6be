"""schemathesis without a bound: every check and phase, each role, until the time is spent.

    make fuzz                     # FUZZ_SECONDS=300 per role by default
    .venv/bin/python tests/fuzz.py --seconds 900

Starts `make run`'s platform on databases and a vhost of its own (receipts_*_fuzz),
onboards a merchant and a bank, then runs `schemathesis run --checks all` against
/openapi.json with the operator's, the merchant's and the bank's key in turn, each until
--seconds have passed (fuzzing and stateful testing repeat until then). The repository's
schemathesis.toml applies. Exits non-zero if any run found anything; each run's report is
kept under tests/.artifacts/.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.submissions import UNLIMITED, wait_for
from runtime.run import free_port
from tests.support import SCHEMATHESIS

NAME = "fuzz"
ADMIN_KEY = "fuzz-admin-key"


def fresh_backing_services() -> dict:
    for model in ("write", "read", "sim"):
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-qc",
                f"DROP DATABASE IF EXISTS receipts_{model}_{NAME} WITH (FORCE)",
            ],
            env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning"},
            check=True,
        )
    for command in (
        ["delete_vhost", f"receipts-{NAME}"],
        ["add_vhost", f"receipts-{NAME}"],
        ["set_permissions", "-p", f"receipts-{NAME}", "guest", ".*", ".*", ".*"],
    ):
        subprocess.run(["rabbitmqctl", "-q", *command], capture_output=True)
    return {
        **{
            f"{model.upper()}_DATABASE_URL": f"postgresql+pg8000://postgres@127.0.0.1:5432/receipts_{model}_{NAME}"
            for model in ("write", "read", "sim")
        },
        "AMQP_URL": f"amqp://guest:guest@127.0.0.1:5672/receipts-{NAME}",
        "ADMIN_API_KEY": ADMIN_KEY,
        "PLATFORM_SECRET": "fuzz-platform-secret",
    }


def onboard(url: str, kind: str) -> str:
    request = urllib.request.Request(
        f"{url}/v1/admin/{kind}s",
        method="POST",
        headers={"Authorization": f"Bearer {ADMIN_KEY}", "Content-Type": "application/json"},
        data=json.dumps({"name": f"fuzz {kind}", "callback_url": "http://127.0.0.1:9/callbacks"}).encode(),
    )
    return json.load(urllib.request.urlopen(request))["api_key"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=300, help="per role")
    args = parser.parse_args()
    port = free_port()
    artifacts = ROOT / "tests/.artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    log = (artifacts / "fuzz-platform.log").open("w")
    platform = subprocess.Popen(
        [sys.executable, "-m", "runtime.run"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        # The API's logic is fuzzed, not the gateway's limits (tests/e2e/test_limits.py).
        env={**os.environ, **fresh_backing_services(), **UNLIMITED, "GATEWAY_PORT": str(port)},
    )
    url = f"http://127.0.0.1:{port}"
    failed = []
    try:
        wait_for(f"{url}/healthz")
        keys = {"operator": ADMIN_KEY, "merchant": onboard(url, "merchant"), "bank": onboard(url, "bank")}
        for role, key in keys.items():
            print(f"schemathesis, every check, as the {role}, for {args.seconds} s ...", flush=True)
            report = artifacts / f"fuzz-{role}.txt"
            with report.open("w") as out:
                run = subprocess.run(
                    [
                        *SCHEMATHESIS,
                        "run",
                        f"{url}/openapi.json",
                        "--checks",
                        "all",
                        "--no-color",
                        "--max-time",
                        str(args.seconds),
                        "--workers",
                        "1",
                        "--header",
                        f"Authorization: Bearer {key}",
                    ],
                    cwd=ROOT,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            summary = [line for line in report.read_text().splitlines() if "generated" in line]
            print(f"  {summary[-1].strip() if summary else 'no summary'} (report: {report.relative_to(ROOT)})")
            if run.returncode:
                failed.append(role)
    finally:
        platform.send_signal(signal.SIGTERM)
        platform.wait()
    if failed:
        raise SystemExit(f"schemathesis found failures as: {', '.join(failed)}")
    print("nothing found")


if __name__ == "__main__":
    main()
