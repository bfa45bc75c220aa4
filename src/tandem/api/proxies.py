"""The client's address behind trusted reverse proxies (X-Forwarded-For, right to left)."""

from __future__ import annotations

import functools
import ipaddress

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.cache
def networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)


def _address(text: str) -> Address | None:
    text = text.strip().strip('"')
    if text.startswith("["):  # "[2001:db8::1]:4711"
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # "203.0.113.7:4711"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, trusted: tuple[Network, ...]) -> bool:
    return any(address.version == n.version and address in n for n in trusted)


def client_address(peer: str, forwarded_for: list[str], cidrs: tuple[str, ...]) -> str:
    """The peer itself, unless it is a trusted proxy: then the right-most untrusted hop of
    X-Forwarded-For (hops a client wrote itself, left of that, are never believed)."""
    if not cidrs:
        return peer
    trusted = networks(cidrs)
    current = _address(peer)
    if current is None or not _trusted(current, trusted):
        return peer
    hops = [h for header in forwarded_for for h in header.split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # garbage: keep the last address a trusted proxy vouched for
        current = address
        if not _trusted(address, trusted):
            break
    return str(current)
