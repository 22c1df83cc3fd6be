"""Where a callback may go (SPEC §15).

In production (RECEIPTS_ENV=production) a callback URL is https, and its host resolves to
public addresses only, none of them one of the platform's own services: a callback,
however well signed, is never a request into the platform's network. Hosts on
CALLBACK_ALLOWED_HOSTS are exempt from both (the simulated parties, a receiver inside a
private network the operator vouches for). Checked when a URL is registered and again
before each delivery, whose connection then goes to the very address checked, so that a
name that resolves elsewhere a second later (DNS rebinding) gains nothing.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
from urllib.parse import urlsplit

from shared.platform.config import settings


class Refused(ValueError):
    """A callback URL the platform does not call; the message says why."""


def destination(url: str) -> str | None:
    """The address to deliver url's callbacks to; None where the name may be resolved as
    usual (development, or an allowed host). Refused where no callback may go."""
    config = settings()
    if not config.production:
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in config.callback_allowed_hosts:
        return None
    if parts.scheme != "https":
        raise Refused("callback URLs are https:// in production (http:// only to a host on CALLBACK_ALLOWED_HOSTS)")
    addresses = _resolve(host, parts.port or 443)
    for address in addresses:
        if not _public(address):
            raise Refused(f"{host} resolves to {address}, inside a private network: callbacks go to public addresses")
        if address in _own_addresses():
            raise Refused(f"{host} resolves to {address}, one of the platform's own services")
    # IPv4 first: a receiver's AAAA record is no use where the platform has no IPv6 route.
    return min(addresses, key=lambda address: ":" in address)


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _public(address: str) -> bool:
    """Not loopback, private, link-local, shared (100.64/10), reserved or multicast, nor an
    IPv6 address that carries such an IPv4 one (mapped, NAT64, 6to4, Teredo)."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        carried = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if carried is None and ip in _NAT64:
            carried = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if carried is not None:
            ip = carried
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int) -> list[str]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Refused(f"{host} does not resolve ({error})") from None
    return list(dict.fromkeys(str(info[4][0]) for info in found))


@functools.cache
def _own_addresses() -> frozenset[str]:
    """What the names of the platform's own services resolve to: its gateway (PUBLIC_URL),
    its databases and its broker."""
    config = settings()
    urls = (config.public_url, config.write_database_url, config.read_database_url, config.amqp_url)
    addresses: set[str] = set()
    for url in urls:
        parts = urlsplit(url)
        try:
            addresses |= set(_resolve(parts.hostname or "", parts.port or 443))
        except Refused:
            continue  # a service whose name does not resolve here has no address to guard
    return frozenset(addresses)
