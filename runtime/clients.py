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
    with tempfile.TemporaryDirectory() as scratch:
        spec = Path(scratch, "openapi.json")
        spec.write_text(json.dumps(document(), indent=2))
        (into / PYTHON_PACKAGE.parent).mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                *(Path(sys.executable).parent / "openapi-python-client", "generate"),
                *("--path", spec, "--meta", "none", "--overwrite"),
                *("--config", CLIENTS / "python" / "generator.yaml", "--output-path", into / PYTHON_PACKAGE),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            # Its formatting hooks call ruff: the venv's, pinned beside the generator.
            env={**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"},
        )
        (into / TYPESCRIPT_TYPES.parent).mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [TYPESCRIPT_TOOLS / "openapi-typescript", spec, "--output", into / TYPESCRIPT_TYPES],
            check=True,
            stdout=subprocess.DEVNULL,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--into", type=Path, default=CLIENTS, help="where to write them (default: clients/)")
    generate(parser.parse_args().into)


if __name__ == "__main__":
    main()
