"""Outbound HTTP, the one way the platform calls anything: callbacks to merchants and
banks, the simulated parties' requests, the triggers' invocations of functions, probes.

One urllib3 pool manager per process keeps connections alive per host, so a call reuses
the connection its receiver left open instead of a new TCP (and TLS) handshake; a
connection the receiver closed meanwhile is noticed before it is reused. Every call has a
timeout and follows no redirect. Only a kept-alive connection the receiver closed as the
request went out is tried again here (request); every other failure is the caller's to
judge (a callback is retried with backoff, a trigger's delivery redelivered).
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from http.client import RemoteDisconnected
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError, ProtocolError
from urllib3.util import Timeout

from shared.platform.config import settings

# Nothing was sent: the connection was refused, or the name did not resolve (a function
# or its container being started again).
UNREACHABLE = (NewConnectionError,)
# Any failure to get an answer, UNREACHABLE included.
FAILED = (HTTPError, OSError)


@functools.cache
def _pool() -> urllib3.PoolManager:
    """Up to 32 connections kept per host: a trigger's worker threads, or callbacks in flight
    to one receiver, each keep theirs. HTTPS receivers' certificates are verified against
    the system's CAs and those of OUTBOUND_CA_BUNDLE."""
    verified = ssl.create_default_context(cafile=settings().outbound_ca_bundle)
    verified.load_default_certs()
    return urllib3.PoolManager(num_pools=64, maxsize=32, block=False, retries=False, ssl_context=verified)


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: Mapping[str, str]


@functools.lru_cache(maxsize=1024)
def _parts(url: str) -> tuple[str, str, int | None, str]:
    """url's scheme, host, port and path (with its query), parsed once: the same few URLs
    (a function, a receiver's endpoint) are called again and again."""
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname or "", parts.port, path


def request(
    method: str,
    url: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
    max_body: int | None = None,
    address: str | None = None,
) -> Response:
    """One request and its answer, read up to max_body bytes (all if None); raises one of
    FAILED when no answer came. An answer read to its end leaves its connection for the
    next call; one cut short closes it. address: connect there rather than to whatever
    url's host resolves to now (the host still names the request, and the certificate).

    A connection the receiver closed just as the request went out (a kept-alive one it timed
    out) is tried once more on a new one: every receiver of the platform dedupes what it is
    sent, so a request that did arrive is harmless twice."""
    scheme, host, port, path = _parts(url)
    if address is not None:
        headers = {**(headers or {}), "Host": host if port is None else f"{host}:{port}"}
    for attempt in (1, 2):
        pool = _connections(scheme, host, port, address)
        try:
            return _exchange(pool, method, path, body, headers, timeout, max_body)
        except ProtocolError as error:
            if attempt == 2 or not isinstance(error.args[-1], _DROPPED):
                raise
    raise AssertionError("unreachable")


def _connections(scheme: str, host: str, port: int | None, address: str | None):
    """The pool of kept-alive connections to host, or to address in host's name."""
    if address is None:
        return _pool().connection_from_host(host, port, scheme)
    named = {"server_hostname": host, "assert_hostname": host} if scheme == "https" else {}
    return _pool().connection_from_host(address, port, scheme, pool_kwargs=named)


# How a kept-alive connection the receiver closed shows when it is used.
_DROPPED = (RemoteDisconnected, ConnectionResetError, BrokenPipeError)


def _exchange(pool, method: str, path: str, body, headers, timeout: float, max_body: int | None) -> Response:
    response = pool.urlopen(
        method,
        path,
        body=body,
        headers=headers,
        timeout=_timeout(timeout),
        retries=False,
        redirect=False,
        assert_same_host=False,
        preload_content=False,
    )
    try:
        answer = response.read(max_body) if max_body is not None else response.read()
    except BaseException:
        response.close()
        raise
    if max_body is None or len(answer) < max_body:  # read to its end
        response.release_conn()
    else:
        response.close()
    return Response(response.status, answer, response.headers)


@functools.lru_cache(maxsize=16)
def _timeout(seconds: float) -> Timeout:
    """The most a connect, and each wait for the answer, may take (not a budget for both:
    a receiver that answers slowly but steadily is waited for)."""
    return Timeout(connect=seconds, read=seconds)


def post(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    timeout: float = 10.0,
    max_body: int | None = None,
    address: str | None = None,
) -> Response:
    return request("POST", url, body, headers, timeout, max_body, address)
