"""The API gateway: template.yaml's routes rendered into an nginx configuration (SPEC §9).

nginx stands where the OpenFaaS gateway stands in a cluster: the one public entry point,
routing each request to its function by method and path, in OpenAPI's order (the most
concrete path first), and answering what no function serves itself in the SPEC's error
format: 404, 405 with `Allow`, 413 over 256 KiB, 414 for a request line over 8 KiB, 400
for what is not HTTP, 429 + Retry-After over a limit, 503 + Retry-After while a function is
starting, 504 when it does not answer. A request id (X-Request-Id, made when absent) goes
to the function and into the access log, a JSON line on stdout like every other log.

Three ways to reach the functions:
- `make run`: each function's local port, on kept-alive connections (`upstream` blocks);
- compose and Swarm: `http://{name}:8080`, resolved through Docker's DNS every few seconds
  (`resolver 127.0.0.11 valid=5s`), so a Swarm service's replicas all take their share;
- OpenFaaS: `http://<its gateway>:8080/function/{name}`.

    python -m runtime.nginx --upstream 'http://{name}:8080' --resolver 127.0.0.11 > gateway.conf

Compose and Swarm render it as the stack starts (the gateway-config service), so that the
limits are the environment's (RATE_LIMIT_*), as under `make run`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import jinja2

from runtime import stack
from shared.platform.config import CLIENT_CERTIFICATE_SUBJECT, GatewaySettings

# Browsers and clients that honour it never speak plain HTTP to the platform again (2 years).
HSTS = 'add_header Strict-Transport-Security "max-age=63072000" always;'
MAX_BODY = "256k"  # SPEC §4: a body over 256 KiB is refused before it is read
DOCKER_DNS = "127.0.0.11"
T = TypeVar("T")


def _error(code: str, message: str) -> str:
    """The SPEC's error body as an nginx string (single-quoted; $allowed is interpolated)."""
    if "'" in message:
        raise ValueError(f"nginx's single-quoted string would end at the apostrophe: {message!r}")
    return "'" + json.dumps({"error": {"code": code, "message": message, "details": []}}) + "'"


def routes(functions: list[stack.Function]) -> list[tuple[str, dict[str, str]]]:
    """(path, {method: function}) of every HTTP function, the most concrete path first (as
    OpenAPI reads paths: /v1/receipts/lookup before /v1/receipts/{id})."""
    by_path: dict[str, dict[str, str]] = {}
    for function in functions:
        for route in function.routes:
            by_path.setdefault(route.path, {})[route.method] = function.name
    return sorted(by_path.items(), key=lambda item: item[0].count("{"))


LOOKUP = "/v1/receipts/lookup"  # a bank's route, with a limit of its own


def rate_class(route: stack.Route) -> str:
    """Which of a credential's limits a route counts against (SPEC §15): the operator's
    admin API, the cardholder's look-up, reads, and everything that submits or changes."""
    if route.path.startswith("/v1/admin/"):
        return "admin"
    if route.path == LOOKUP:
        return "lookup"
    return "read" if route.method == "GET" else "submit"


def bank_route(route: stack.Route) -> bool:
    """A route only banks use (SPEC §15): with GATEWAY_CLIENT_CA set, it takes a client certificate."""
    return route.path.startswith(("/v1/payments", "/v1/accounts/")) or route.path == LOOKUP


def _of_function(function: stack.Function, rule: Callable[[stack.Route], T]) -> T:
    """What rule says of each of a function's routes, which must agree: the gateway keys its
    limits and its client-certificate check by the function a request goes to."""
    answers = {rule(route) for route in function.routes}
    if len(answers) != 1:
        raise ValueError(f"{function.name}: its routes disagree on {rule.__name__}: {sorted(map(str, answers))}")
    return answers.pop()


def _path_key(path: str) -> str:
    if "{" not in path:
        return json.dumps(path)
    return json.dumps("~" + stack.Route("GET", path).pattern.pattern)


_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
    auto_reload=False,  # a template is read once per process, not looked at again per render
    autoescape=False,  # an nginx configuration: every value is quoted by the json filter where it needs it
)
_TEMPLATES.filters.update(json=json.dumps, path_key=_path_key)
_TEMPLATES.globals.update(error=_error)


def render(
    functions: list[stack.Function],
    *,
    port: int,
    upstream: str = "http://{name}:8080",
    resolver: str | None = None,
    local_ports: dict[str, int] | None = None,
    prefix: str | None = None,
    gateway: GatewaySettings | None = None,
    refused_log: str | None = None,
) -> str:
    """nginx.conf for the gateway on port (templates/nginx.conf.j2). local_ports (make run):
    each function at 127.0.0.1:<port> on kept-alive connections; else each at upstream
    (with {name}), resolved through resolver. prefix: where a local nginx keeps its pid and
    buffers. gateway: its limits (else the environment's). refused_log: the directory where
    it writes what it refuses, for runtime.gateway_metrics to count."""
    gateway = gateway or GatewaySettings.from_env()
    if local_ports is not None:
        target = "http://$function"
    else:
        parts = urlsplit(upstream.replace("{name}", "FUNCTION"))
        target = upstream.replace("{name}", "$function") + ("$request_uri" if parts.path.strip("/") else "")
    return _TEMPLATES.get_template("nginx.conf.j2").render(
        routes=routes(functions),
        rate_classes={function.name: _of_function(function, rate_class) for function in functions if function.http},
        rate_limits=gateway.rate_limits,
        bank_functions=[
            function.name for function in functions if function.http and _of_function(function, bank_route)
        ],
        gateway=gateway,
        hsts=HSTS if gateway.tls else "",
        subject_header=CLIENT_CERTIFICATE_SUBJECT,
        refused_log=refused_log,
        local_ports=sorted((local_ports or {}).items()),
        target=target,
        port=port,
        resolver=resolver,
        prefix=prefix,
        max_body=MAX_BODY,
    )


def binary() -> str:
    """The nginx to run (Debian's puts it in /usr/sbin, off a user's PATH)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise SystemExit(
            "nginx is not installed: `make run` installs Debian's nginx-light (apt-get install nginx-light)"
        )
    return found


def command(config: Path) -> list[str]:
    """nginx in the foreground on config, its pid and buffers beside it (the prefix)."""
    return [binary(), "-p", str(config.parent), "-e", "stderr", "-c", str(config), "-g", "daemon off;"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description="The gateway's nginx configuration, rendered from template.yaml and the environment's limits."
    )
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--upstream", default="http://{name}:8080", help="each function's URL, by its {name}")
    parser.add_argument("--resolver", default=DOCKER_DNS, help="the DNS server that resolves the upstream's names")
    parser.add_argument("--out", type=Path, help="write it to this file (whole or not at all), not to stdout")
    parser.add_argument("--refused-log", help="the directory it writes refused requests to (runtime.gateway_metrics)")
    args = parser.parse_args()
    rendered = render(
        stack.load(), port=args.port, upstream=args.upstream, resolver=args.resolver, refused_log=args.refused_log
    )
    if args.out is None:
        sys.stdout.write(rendered)
        return
    partial = args.out.with_name(args.out.name + ".partial")
    partial.write_text(rendered)
    partial.replace(args.out)
    print(f"the gateway's configuration is in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
