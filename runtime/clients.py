"""The clients integrators install, generated from the platform's OpenAPI document
(docs/clients.md): `make clients` writes them, and a test fails when what is committed
differs from what the generators make of today's document.

- Python: openapi-python-client into clients/python/receipts_platform_client/ (the package
  beside it, receipts_platform_helpers, is written by hand);
- TypeScript: openapi-typescript into clients/typescript/schema.d.ts.

    python -m runtime.clients [--into DIR]   # DIR: another clients/ folder, to compare
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from shared.entrypoints.openapi import document

CLIENTS = Path(__file__).resolve().parent.parent / "clients"
PYTHON_PACKAGE = Path("python", "receipts_platform_client")
TYPESCRIPT_TYPES = Path("typescript", "schema.d.ts")
TYPESCRIPT_TOOLS = CLIENTS / "typescript" / "node_modules" / ".bin"


def generate(into: Path = CLIENTS) -> None:
    """Both clients, from document(), under into (laid out as clients/ is)."""
    tools = Path(sys.executable).parent  # openapi-python-client and the ruff its hooks call, pinned side by side
    if not (TYPESCRIPT_TOOLS / "openapi-typescript").exists():
        raise SystemExit(
            "openapi-typescript is not installed: `make clients` installs it (npm ci in clients/typescript)"
        )
    with tempfile.TemporaryDirectory() as scratch:
        spec = Path(scratch, "openapi.json")
        spec.write_text(json.dumps(document(), indent=2))
        (into / PYTHON_PACKAGE.parent).mkdir(parents=True, exist_ok=True)
        (into / TYPESCRIPT_TYPES.parent).mkdir(parents=True, exist_ok=True)
        python_client = [tools / "openapi-python-client", "generate", "--path", spec, "--meta", "none", "--overwrite"]
        python_client += ["--config", CLIENTS / "python" / "generator.yaml", "--output-path", into / PYTHON_PACKAGE]
        path = f"{tools}{os.pathsep}{os.environ['PATH']}"
        subprocess.run(python_client, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "PATH": path})
        typescript = [TYPESCRIPT_TOOLS / "openapi-typescript", spec, "--output", into / TYPESCRIPT_TYPES]
        subprocess.run(typescript, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--into", type=Path, default=CLIENTS, help="where to write them (default: clients/)")
    generate(parser.parse_args().into)


if __name__ == "__main__":
    main()
