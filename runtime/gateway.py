"""The single HTTP entry point: routes each request to its function's process.

A small HTTP/1.1 reverse proxy on asyncio, in the role the OpenFaaS gateway plays in a
cluster: it keeps connections to the function processes alive, answers unknown routes
itself (404/405 in the SPEC's error format) and 503 + Retry-After while a function is
restarting. It holds no business logic.

    python -m runtime.gateway --port 8080 --upstream 'http://{name}:8080'   # compose
    python -m runtime.gateway --upstream 'http://gateway.openfaas:8080/function/{name}'   # OpenFaaS

An upstream URL may carry a path: a request for /v1/receipts goes to
<upstream path>/v1/receipts, which is how the OpenFaaS gateway addresses a function.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import signal
import socket
import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from runtime import stack
from shared.platform import logs

_log = logs.get("gateway")

# Bodies are buffered; the functions refuse anything over 256 KiB themselves, so this
# only bounds what a client can make the gateway hold.
MAX_BODY_BYTES = 1024 * 1024
MAX_HEADER_LINES = 100
UPSTREAM_TIMEOUT_SECONDS = 60.0
IDLE_CLIENT_SECONDS = 75.0
# Replicas behind one name (Swarm's dnsrr services, a headless Service): the name is
# resolved again every few seconds, new connections go round its addresses, and a
# connection is reused for a few seconds only, so every replica takes its share, a
# replica added later within seconds.
RESOLVE_EVERY_SECONDS = 2.0
REUSE_CONNECTION_SECONDS = 2.0
_HOP_BY_HOP = {
    b"connection", b"keep-alive", b"proxy-authenticate", b"proxy-authorization", b"te",
    b"trailer", b"transfer-encoding", b"upgrade", b"content-length",
}
_REASONS = {400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 413: "Payload Too Large",
            502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


class BadRequest(Exception):
    pass


@dataclass
class Upstream:
    """One function's address and its idle keep-alive connections."""

    name: str
    host: str
    port: int
    path: str = ""  # prefixed to every request's target: "/function/<name>" behind OpenFaaS
    idle: deque = field(default_factory=deque)  # (reader, writer, opened at)
    addresses: list[str] = field(default_factory=list)
    resolved_at: float = float("-inf")
    turn: itertools.count = field(default_factory=itertools.count)

    @classmethod
    def at(cls, name: str, url: str) -> Upstream:
        parts = urlsplit(url)
        return cls(name, parts.hostname, parts.port or 80, parts.path.rstrip("/"))

    async def exchange(self, head: bytes, body: bytes) -> tuple[bytes, list[tuple[bytes, bytes]], bytes]:
        """Send one request; a reused connection the function has closed is retried once."""
        while self.idle:
            reader, writer, opened_at = self.idle.pop()
            if time.monotonic() - opened_at > REUSE_CONNECTION_SECONDS:
                writer.close()
                continue
            try:
                return await self._exchange_on(reader, writer, opened_at, head, body)
            except (ConnectionError, asyncio.IncompleteReadError):
                writer.close()
        reader, writer = await asyncio.open_connection(await self._next_address(), self.port)
        return await self._exchange_on(reader, writer, time.monotonic(), head, body)

    async def _next_address(self) -> str:
        """The next of the addresses the name resolves to (resolved again every few seconds)."""
        now = time.monotonic()
        if now - self.resolved_at > RESOLVE_EVERY_SECONDS:
            try:
                found = await asyncio.get_running_loop().getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)
                self.addresses = sorted({info[4][0] for info in found})
            except OSError:
                if not self.addresses:
                    raise  # a name not (yet) known: the function is starting
            self.resolved_at = now
        return self.addresses[next(self.turn) % len(self.addresses)]

    async def _exchange_on(self, reader, writer, opened_at: float, head: bytes, body: bytes):
        writer.write(head + body)
        await writer.drain()
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionResetError("upstream closed the connection")
        headers = await _read_headers(reader)
        keep_alive = True
        length = None
        chunked = False
        for name, value in headers:
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and value.lower() == b"close":
                keep_alive = False
        if chunked:
            payload = await _read_chunked(reader)
        elif length is not None:
            payload = await reader.readexactly(length)
        else:
            payload = await reader.read()
            keep_alive = False
        if keep_alive:
            self.idle.append((reader, writer, opened_at))
        else:
            writer.close()
        return status_line, headers, payload


@dataclass(frozen=True)
class Route:
    method: str
    route: stack.Route
    upstream: Upstream


class Gateway:
    def __init__(self, routes: list[Route]):
        self.routes = routes

    def resolve(self, method: bytes, path: str) -> Route:
        matching = [route for route in self.routes if route.route.pattern.match(path)]
        # As OpenAPI reads paths: the most concrete first (/v1/receipts/lookup before
        # /v1/receipts/{id}; /v1/admin/matches/{payment_id} before /v1/admin/{parties}/{id}).
        fewest = min((route.route.path.count("{") for route in matching), default=0)
        allowed = []
        for route in (route for route in matching if route.route.path.count("{") == fewest):
            if route.method == method.decode():
                return route
            allowed.append(route.method)
        if allowed:
            raise _Refusal(405, "method_not_allowed", f"use {' or '.join(sorted(allowed))} on this path",
                           {"Allow": ", ".join(sorted(allowed))})
        raise _Refusal(404, "not_found", "no such endpoint")

    async def serve_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        try:
            while True:
                try:
                    request_line = await asyncio.wait_for(reader.readline(), IDLE_CLIENT_SECONDS)
                except asyncio.TimeoutError:
                    break
                if not request_line:
                    break
                keep_alive = await self._serve_request(request_line, reader, writer, peer)
                await writer.drain()
                if not keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, BadRequest):
            pass
        finally:
            writer.close()

    async def _serve_request(self, request_line: bytes, reader, writer, peer) -> bool:
        try:
            method, target, version = request_line.rstrip(b"\r\n").split(b" ", 2)
        except ValueError:
            _write_error(writer, _Refusal(400, "bad_request", "malformed request line"), keep_alive=False)
            return False
        headers = await _read_headers(reader)
        keep_alive = version == b"HTTP/1.1"
        length = 0
        chunked = False
        for name, value in headers:
            if name == b"content-length":
                length = int(value) if value.isdigit() else -1
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                keep_alive = value.lower() == b"keep-alive" or (keep_alive and value.lower() != b"close")
        if length < 0:
            _write_error(writer, _Refusal(400, "bad_request", "malformed Content-Length"), keep_alive=False)
            return False
        if length > MAX_BODY_BYTES:
            _write_error(writer, _Refusal(413, "payload_too_large", "the body is over 256 KiB"), keep_alive=False)
            return False
        body = await (_read_chunked(reader) if chunked else reader.readexactly(length))
        path = urlsplit(target.decode("latin-1")).path
        try:
            route = self.resolve(method, path)
            head = _request_head(method, target, headers, len(body), peer, route.upstream)
            try:
                status_line, response_headers, payload = await asyncio.wait_for(
                    route.upstream.exchange(head, body), UPSTREAM_TIMEOUT_SECONDS
                )
            except asyncio.TimeoutError:
                raise _Refusal(504, "gateway_timeout", "the function did not answer in time") from None
            except (OSError, asyncio.IncompleteReadError):
                logs.event(_log, "upstream.unavailable", logging.WARNING, function=route.upstream.name)
                raise _Refusal(503, "service_unavailable", "the function is starting; retry shortly") from None
        except _Refusal as refusal:
            _write_error(writer, refusal, keep_alive)
            return keep_alive
        out = [status_line.replace(b"HTTP/1.0", b"HTTP/1.1", 1)]
        out += [name_value for name_value in _raw_headers(response_headers)]
        out.append(b"Content-Length: %d\r\n" % len(payload))
        if not keep_alive:
            out.append(b"Connection: close\r\n")
        out.append(b"\r\n")
        writer.write(b"".join(out) + payload)
        return keep_alive


class _Refusal(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def _write_error(writer, refusal: _Refusal, keep_alive: bool) -> None:
    body = json.dumps({"error": {"code": refusal.code, "message": refusal.message, "details": []}}).encode()
    head = [
        b"HTTP/1.1 %d %s\r\n" % (refusal.status, _REASONS[refusal.status].encode()),
        b"Content-Type: application/json\r\n",
        b"Content-Length: %d\r\n" % len(body),
    ]
    if refusal.status == 503:
        head.append(b"Retry-After: 1\r\n")
    head += [f"{name}: {value}\r\n".encode() for name, value in refusal.headers.items()]
    if not keep_alive:
        head.append(b"Connection: close\r\n")
    writer.write(b"".join(head) + b"\r\n" + body)


async def _read_headers(reader: asyncio.StreamReader) -> list[tuple[bytes, bytes]]:
    headers = []
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            return headers
        if len(headers) >= MAX_HEADER_LINES:
            raise BadRequest("too many headers")
        name, _, value = line.partition(b":")
        headers.append((name.strip().lower(), value.strip()))


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks = []
    size_so_far = 0
    while True:
        size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
        if size == 0:
            await _read_headers(reader)  # trailers
            return b"".join(chunks)
        size_so_far += size
        if size_so_far > MAX_BODY_BYTES:
            raise BadRequest("chunked body too large")
        chunks.append(await reader.readexactly(size))
        await reader.readline()


def _raw_headers(headers: list[tuple[bytes, bytes]]):
    for name, value in headers:
        if name not in _HOP_BY_HOP:
            yield name + b": " + value + b"\r\n"


def _request_head(method, target, headers, length: int, peer, upstream: Upstream) -> bytes:
    lines = [method + b" " + upstream.path.encode() + target + b" HTTP/1.1\r\n"]
    lines += [name_value for name_value in _raw_headers(headers) if not name_value.startswith(b"host:")]
    lines.append(b"host: %s:%d\r\n" % (upstream.host.encode(), upstream.port))
    if peer:
        lines.append(b"x-forwarded-for: " + str(peer[0]).encode() + b"\r\n")
    lines.append(b"content-length: %d\r\n\r\n" % length)
    return b"".join(lines)


def routes_for(functions: list[stack.Function], url_of) -> list[Route]:
    """One route per HTTP function, to the URL url_of(function) gives."""
    return [Route(function.route.method, function.route, Upstream.at(function.name, url_of(function)))
            for function in functions if function.http]


async def serve(routes: list[Route], host: str, port: int) -> asyncio.Server:
    gateway = Gateway(routes)
    return await asyncio.start_server(gateway.serve_client, host, port, limit=64 * 1024, backlog=1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--upstream", default="http://{name}:8080", help="URL of each function, by its name")
    args = parser.parse_args()

    async def run() -> None:
        # As a container's first process, nothing ends it on SIGTERM unless it says so.
        stopping = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            asyncio.get_running_loop().add_signal_handler(signum, stopping.set)
        routes = routes_for(stack.load(), lambda function: args.upstream.format(name=function.name))
        server = await serve(routes, args.host, args.port)
        logs.event(_log, "gateway.listening", port=args.port, upstream=args.upstream)
        await stopping.wait()
        server.close()
        logs.event(_log, "gateway.stopped")

    asyncio.run(run())


if __name__ == "__main__":
    main()
