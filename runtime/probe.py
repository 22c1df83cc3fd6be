"""The stack's health check: healthy when the API serves and every function is ready.

Run in the healthz function's container (compose.yaml; the gateway's is nginx, without
Python): GET /healthz through the gateway must
answer 200 (every backing service up), and every function of template.yaml must answer
GET /_/ready with 200. One check for the whole stack, because each Docker health check is
a process started in its container: one per function every few seconds kept a fifth of
this machine's two cores busy on an idle stack.

    python -m runtime.probe --gateway http://gateway:8080 --upstream 'http://{name}:8080'
"""

from __future__ import annotations

import argparse
import sys

from runtime import stack
from shared.platform import outbound


def answers_200(url: str) -> bool:
    try:
        # One look, its connection not kept: a probe runs once and exits.
        return outbound.request("GET", url, headers={"Connection": "close"}, timeout=5).status == 200
    except outbound.FAILED:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gateway", default="http://127.0.0.1:8080")
    parser.add_argument("--upstream", default="http://{name}:8080", help="URL of each function, by its name")
    args = parser.parse_args()
    waiting = [
        function.name
        for function in stack.load()
        if not answers_200(args.upstream.format(name=function.name) + "/_/ready")
    ]
    if not answers_200(args.gateway + "/healthz"):
        waiting.append("the gateway's /healthz")
    if waiting:
        sys.exit(f"not ready: {', '.join(waiting)}")


if __name__ == "__main__":
    main()
