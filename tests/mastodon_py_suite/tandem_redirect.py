"""A pytest plugin for Mastodon.py's own suite: `localhost:3000` resolves to the tandem under
test (TANDEM_REDIRECT="host:port"). It works at name resolution, below VCR's patched HTTP
connections, so the suite's requests reach the server unchanged (Host header included).
Every other name fails at once: the run is offline (a few tests talk to public servers, and
would otherwise wait on DNS)."""

from __future__ import annotations

import os
import socket
from typing import Any

_TARGET_HOST, _, _TARGET_PORT = os.environ["TANDEM_REDIRECT"].rpartition(":")
_real_getaddrinfo = socket.getaddrinfo


def _getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
    if host in ("localhost", b"localhost") and str(port) == "3000":
        return _real_getaddrinfo(_TARGET_HOST, int(_TARGET_PORT), *args, **kwargs)
    if host in ("127.0.0.1", b"127.0.0.1", "::1", b"::1"):
        return _real_getaddrinfo(host, port, *args, **kwargs)
    raise socket.gaierror(socket.EAI_NONAME, f"offline run: {host!r} is not the server under test")


socket.getaddrinfo = _getaddrinfo
