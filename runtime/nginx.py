"""The API gateway: template.yaml's routes rendered into an nginx configuration (SPEC §9).

nginx stands where the OpenFaaS gateway stands in a cluster: the one public entry point,
routing each request to its function by method and path, in OpenAPI's order (the most
concrete path first), and answering what no function serves itself in the SPEC's error
format: 404, 405 with `Allow`, 413 over 256 KiB, 414 for a request line over 8 KiB, 400
for what is not HTTP, 503 + Retry-After while a function is starting, 504 when it does not
answer. A request id (X-Request-Id, made when absent) goes
to the function and into the access log, a JSON line on stdout like every other log.

Three ways to reach the functions:
- `make run`: each function's local port, on kept-alive connections (`upstream` blocks);
- compose and Swarm: `http://{name}:8080`, resolved through Docker's DNS every few seconds
  (`resolver 127.0.0.11 valid=5s`), so a Swarm service's replicas all take their share;
- OpenFaaS: `http://<its gateway>:8080/function/{name}`.

    python -m runtime.nginx --upstream 'http://{name}:8080' --resolver 127.0.0.11 > gateway.conf
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

from runtime import stack

MAX_BODY = "256k"  # SPEC §4: a body over 256 KiB is refused before it is read
DOCKER_DNS = "127.0.0.11"


def _error(code: str, message: str) -> str:
    """The SPEC's error body as an nginx string (single-quoted; $allowed is interpolated)."""
    return "'" + json.dumps({"error": {"code": code, "message": message, "details": []}}) + "'"


def routes(functions: list[stack.Function]) -> list[tuple[str, dict[str, str]]]:
    """(path, {method: function}) of every HTTP function, the most concrete path first (as
    OpenAPI reads paths: /v1/receipts/lookup before /v1/receipts/{id})."""
    by_path: dict[str, dict[str, str]] = {}
    for function in functions:
        if function.http:
            by_path.setdefault(function.route.path, {})[function.route.method] = function.name
    return sorted(by_path.items(), key=lambda item: item[0].count("{"))


def _path_key(path: str) -> str:
    if "{" not in path:
        return json.dumps(path)
    return json.dumps("~" + stack.Route("GET", path).pattern.pattern)


def render(
    functions: list[stack.Function],
    *,
    port: int,
    upstream: str = "http://{name}:8080",
    resolver: str | None = None,
    local_ports: dict[str, int] | None = None,
    prefix: str | None = None,
) -> str:
    """nginx.conf for the gateway on port. local_ports (make run): each function at
    127.0.0.1:<port> on kept-alive connections; else each at upstream (with {name}),
    resolved through resolver. prefix: where a local nginx keeps its pid and buffers."""
    table = routes(functions)
    maps = ["    map $uri $route {", '        default "";']
    maps += [f"        {_path_key(path)} {json.dumps(path)};" for path, _ in table]
    maps += ["    }", '    map "$request_method $route" $function {', '        default "";']
    maps += [
        f"        {json.dumps(f'{method} {path}')} {name};"
        for path, methods in table
        for method, name in methods.items()
    ]
    maps += ["    }", "    map $route $allowed {", '        default "";']
    maps += [f"        {json.dumps(path)} {json.dumps(', '.join(sorted(methods)))};" for path, methods in table]
    maps += ["    }"]
    if local_ports is not None:
        upstreams = [
            f"    upstream {name} {{ server 127.0.0.1:{local_port}; keepalive 32; }}"
            for name, local_port in sorted(local_ports.items())
        ]
        target = "http://$function"
    else:
        upstreams = []
        parts = urlsplit(upstream.replace("{name}", "FUNCTION"))
        target = upstream.replace("{name}", "$function") + ("$request_uri" if parts.path.strip("/") else "")
    local = prefix is not None
    paths = [f"pid {prefix}/nginx.pid;"] if local else []
    temp = (
        [f"    {kind}_temp_path {prefix}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")]
        if local
        else []
    )
    return "\n".join(
        [
            "# Rendered by runtime/nginx.py from template.yaml's routes: change those, not this.",
            "worker_processes 1;",
            *paths,
            "error_log stderr warn;",
            "events { worker_connections 4096; }",
            "http {",
            '    log_format receipts escape=json \'{"time":"$time_iso8601","level":"info","logger":'
            '"receipts.gateway","event":"request","method":"$request_method","path":"$uri",'
            '"status":"$status","function":"$function","request_id":"$request_id_in",'
            '"duration_s":"$request_time","upstream_s":"$upstream_response_time"}\';',
            "    access_log /dev/stdout receipts;",
            *temp,
            "    server_tokens off;",
            "    default_type application/json;",
            f"    client_max_body_size {MAX_BODY};",
            f"    client_body_buffer_size {MAX_BODY};",
            "    keepalive_timeout 75s;",
            "    keepalive_requests 100000;",
            "    proxy_http_version 1.1;",
            '    proxy_set_header Connection "";',
            "    proxy_set_header X-Request-Id $request_id_in;",
            "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
            "    proxy_connect_timeout 5s;",
            "    proxy_read_timeout 60s;",
            "    proxy_send_timeout 60s;",
            "    map $http_x_request_id $request_id_in {",
            "        default $http_x_request_id;",
            '        "" $request_id;',
            "    }",
            *maps,
            *upstreams,
            "    server {",
            f"        listen {port};",
            *([f"        resolver {resolver} valid=5s ipv6=off;"] if resolver else []),
            # nginx refuses TRACE itself: the same JSON 405 as for any method a path does not take.
            "        error_page 405 = @method_not_allowed;",
            "        error_page 413 @payload_too_large;",
            "        error_page 502 503 = @function_unavailable;",
            "        error_page 504 @function_timeout;",
            # What nginx refuses before it has parsed the request line (a line over 8 KiB: 414;
            # a header over 8 KiB or no HTTP at all: 400) can only go to a URI, not a named
            # location; an outsider asking for that URI gets the JSON 404.
            "        error_page 414 /_/gateway/414;",
            "        error_page 400 494 /_/gateway/400;",
            "        error_page 404 /_/gateway/404;",
            "        location = /_/gateway/414 {",
            "            internal;",
            f"            return 414 {_error('uri_too_long', 'the request line is over 8 KiB: shorten the path or query')};",
            "        }",
            "        location = /_/gateway/400 {",
            "            internal;",
            f"            return 400 {_error('bad_request', 'not an HTTP request this gateway can read (a header over 8 KiB?)')};",
            "        }",
            f"        location = /_/gateway/404 {{ return 404 {_error('not_found', 'no such endpoint')}; }}",
            "        location @method_not_allowed {",
            f'            if ($route = "") {{ return 404 {_error("not_found", "no such endpoint")}; }}',
            "            add_header Allow $allowed always;",
            f"            return 405 {_error('method_not_allowed', 'use $allowed on this path')};",
            "        }",
            f"        location @payload_too_large {{ return 413 {_error('payload_too_large', 'the body is over 256 KiB')}; }}",
            "        location @function_unavailable {",
            "            add_header Retry-After 1 always;",
            f"            return 503 {_error('service_unavailable', 'the function is starting; retry shortly')};",
            "        }",
            f"        location @function_timeout {{ return 504 {_error('gateway_timeout', 'the function did not answer in time')}; }}",
            "        location / {",
            f'            if ($route = "") {{ return 404 {_error("not_found", "no such endpoint")}; }}',
            '            if ($function = "") { return 405; }',
            f"            proxy_pass {target};",
            "        }",
            "    }",
            "}",
            "",
        ]
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
        description="Print the gateway's nginx configuration, rendered from template.yaml."
    )
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--upstream", default="http://{name}:8080", help="each function's URL, by its {name}")
    parser.add_argument("--resolver", default=DOCKER_DNS, help="the DNS server that resolves the upstream's names")
    args = parser.parse_args()
    sys.stdout.write(render(stack.load(), port=args.port, upstream=args.upstream, resolver=args.resolver))


if __name__ == "__main__":
    main()
