"""The client's address (客户端地址) as the audit trail and the sign-in throttle see it.

REMOTE_ADDR is the peer of the TCP connection. Behind a reverse proxy that peer is the proxy, the
same for every client; the proxy's X-Forwarded-For then names the client. Anyone can send that
header, so it is believed only when the peer is one of GOVSHARE_TRUSTED_PROXIES (issue #11 item
5: a forged header must neither dodge the sign-in throttle nor get somebody else's address
blocked).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address, or None when the peer's is not one (a test client without it)."""
    return forwarded_client(
        request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", "")
    )


def forwarded_client(remote_addr: str, forwarded_for: str) -> str | None:
    """The client's address from the connection's peer and its X-Forwarded-For header — the
    one rule for pages (``client_ip``) and for the exchange gateway, which has no HttpRequest."""
    if not settings.GOVSHARE_TRUSTED_PROXIES:  # no proxy configured: the peer is the client
        peer = parse_ip(remote_addr)
        return None if peer is None else str(peer)
    peer = parse_ip(remote_addr)
    if peer is None:
        return None
    trusted = trusted_networks(tuple(settings.GOVSHARE_TRUSTED_PROXIES))
    if not _within(peer, trusted):
        return str(peer)
    hops = forwarded_for.split(",")
    # Right to left: each trusted proxy appended the address it was called from; the first
    # address that is not a trusted proxy is the client. Left of it, the client wrote itself.
    for hop in reversed(hops):
        address = parse_ip(hop)
        if address is None:
            break
        peer = address
        if not _within(address, trusted):
            break
    return str(peer)


def parse_ip(value: str) -> Address | None:
    """An address from text, an IPv4-mapped IPv6 address as the IPv4 one; None if it is none."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """The networks of the trusted proxies (addresses or CIDR blocks)."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _within(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)
