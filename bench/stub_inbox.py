"""A stub of many remote servers' inboxes on loopback, for bench/delivery_bench.py.

    .venv/bin/python bench/stub_inbox.py --port 9000 --hosts 500

Listens on 127.0.0.1 and, with `--hosts N`, on N more loopback addresses (127.1.x.y: Linux
routes all of 127/8 to `lo`), so N inboxes are N servers to the sender: a connection pool,
a circuit breaker row and a TLS-free socket each. Answers every `POST /inbox/<i>` (and any
other POST) with 202 at once, counting requests per path and noting when the last arrived
(`time.monotonic()`: CLOCK_MONOTONIC, the same clock in every process of the machine).
`GET /stats` (JSON) says so far: requests, distinct paths and hosts, first and last arrival,
and the first few requests whole (headers and body) so the caller can verify their
signatures; `POST /reset` starts a new count. Prints `ready` once listening.

A plain asyncio protocol (HTTP/1.1 with keep-alive, Content-Length bodies), not a framework:
it shares the machine's cores with the server it measures, so it should cost little.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

SAMPLES = 5  # requests kept whole per count (for signature checks)
MAX_HEAD = 64 * 1024


def inbox_host(index: int, hosts: int) -> str:
    """The loopback address of inbox `index` (127.0.0.1 for all when hosts is 0)."""
    if hosts <= 0:
        return "127.0.0.1"
    k = index % hosts
    return f"127.1.{k // 200}.{k % 200 + 1}"


@dataclass
class Counts:
    requests: int = 0
    per_path: dict[str, int] = field(default_factory=dict)
    hosts: set[str] = field(default_factory=set)
    first: float | None = None
    last: float | None = None
    samples: list[dict[str, Any]] = field(default_factory=list)

    def seen(self, path: str, headers: dict[str, str], body: bytes) -> None:
        now = time.monotonic()
        self.requests += 1
        self.per_path[path] = self.per_path.get(path, 0) + 1
        self.hosts.add(headers.get("host", ""))
        self.first = now if self.first is None else self.first
        self.last = now
        if len(self.samples) < SAMPLES:
            self.samples.append(
                {"path": path, "headers": headers, "body": base64.b64encode(body).decode()}
            )

    def report(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "paths": len(self.per_path),
            "hosts": len(self.hosts),
            "repeated": sum(n - 1 for n in self.per_path.values()),
            "first": self.first,
            "last": self.last,
            "samples": self.samples,
        }


class Inbox(asyncio.Protocol):
    counts = Counts()

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None and self._one():
            pass

    def _one(self) -> bool:
        """Answer the first whole request in the buffer; False when there is none yet."""
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > MAX_HEAD:
                self._answer(431, b"", close=True)
            return False
        lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        method, _, rest = lines[0].partition(" ")
        path = rest.rpartition(" ")[0] or rest
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        if len(self.buffer) < end + 4 + length:
            return False
        body = bytes(self.buffer[end + 4 : end + 4 + length])
        del self.buffer[: end + 4 + length]
        close = headers.get("connection", "").lower() == "close"
        if method == "GET" and path == "/stats":
            self._answer(200, json.dumps(self.counts.report()).encode(), close=close)
        elif method == "POST" and path == "/reset":
            Inbox.counts = Counts()
            self._answer(204, b"", close=close)
        elif method == "POST":
            self.counts.seen(path, headers, body)
            self._answer(202, b"", close=close)
        else:
            self._answer(404, b"", close=close)
        return True

    def _answer(self, status: int, body: bytes, *, close: bool) -> None:
        assert self.transport is not None
        kind = b"Content-Type: application/json\r\n" if body else b""
        self.transport.write(
            b"HTTP/1.1 %d -\r\nContent-Length: %d\r\n%s%s\r\n%s"
            % (status, len(body), kind, b"Connection: close\r\n" if close else b"", body)
        )
        if close:
            self.transport.close()
            self.transport = None


async def serve(port: int, hosts: int) -> None:
    addresses = sorted({"127.0.0.1", *(inbox_host(i, hosts) for i in range(hosts))})
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Inbox, host=addresses, port=port, backlog=1024)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--hosts", type=int, default=0, help="loopback addresses besides 127.0.0.1")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.hosts))


if __name__ == "__main__":
    main()
