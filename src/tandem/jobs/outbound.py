"""Requests the server makes to URLs users gave it: only to public addresses."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit


async def public_host(host: str) -> bool:
    """Refuse private and loopback addresses, so a user's URL cannot probe our network."""
    try:
        infos = await asyncio.to_thread(socket.getaddrinfo, host, None)
    except OSError:
        return False
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
        ):
            return False
    return True


async def may_reach(url: str, allow_loopback: bool) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    return allow_loopback or await public_host(parts.hostname)
