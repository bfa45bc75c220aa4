"""The TLS context of every outbound request. httpx builds a new one for each client it makes,
loading certifi's CA bundle (~80 ms of CPU, on the event loop that serves requests); one
context, made once, serves every client: it holds only the settings and the trusted CAs."""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def client_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()
