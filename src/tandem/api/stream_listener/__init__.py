"""A light websocket listener for the streaming APIs, on its own port (`stream_port`).

Mastodon serves its streaming API from a separate server behind the same reverse proxy; this
is tandem's, in each `tandem serve` worker: `loop.create_server` (with `reuse_port`, so the
workers share the port) and an `asyncio.Protocol` per connection that drives the Sans-I/O
websocket protocol of the `websockets` library. An upgraded connection is handed to the
stream endpoints as an ASGI websocket call (`/streaming`: Misskey; `/api/v1/streaming` and
below: Mastodon), with the denial response extension (`websocket.http.response`) so that a
refused token is an HTTP 401. `GET /api/v1/streaming/health` answers `OK`; any other path a
404. There is no Starlette router, no asyncio stream and no reader task here: an idle
connection costs its transport, its `ServerProtocol`, this protocol object, and the task of
the endpoint that waits for a frame (why: the issue wants 10,000 idle streams in 200 MB).

One timer pings every open connection each `PING_SECONDS`, and closes those that answered
nothing since the previous sweep (and handshakes or closings left hanging as long). Frames
are bounded (`MAX_MESSAGE`: clients send small control frames); no per-message deflate
(zlib's state would cost ~40 KiB per connection; clients go without it). wire.py: one
connection.

Measured (`bench/stream_idle.py 2000 10000 --stream-port`, idle Misskey streams with a
channel each): ~7.7 KiB per stream in the worker's RSS, against ~160 KiB on granian's
websockets. Calling the endpoints directly instead of through the Starlette app (its
middleware, router and route wrappers) saves ~5.7 KiB per stream; letting go of the
handshake request (kept by the protocol's parser) and of handshake-only headers ~3 KiB.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket

from starlette.types import ASGIApp

from tandem.api.stream_listener.wire import WireConnection
from tandem.config import Settings

log = logging.getLogger("tandem.streaming")

PING_SECONDS = 30.0


class Listener:
    """The listening socket of one worker, its connections, and the ping sweep."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.connections: set[WireConnection] = set()
        self.server: asyncio.AbstractServer | None = None
        self.sweeper: asyncio.TimerHandle | None = None
        self.address: tuple[str, int] = (settings.host, settings.stream_port)
        self.interval = PING_SECONDS

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(
            lambda: WireConnection(self),
            self.settings.host,
            self.settings.stream_port,
            reuse_port=hasattr(socket, "SO_REUSEPORT") and os.name == "posix",
            backlog=1024,
        )
        sockets = self.server.sockets
        if sockets:
            name = sockets[0].getsockname()
            self.address = (str(name[0]), int(name[1]))
        self.sweeper = loop.call_later(self.interval, self.sweep)

    def sweep(self) -> None:
        """Ping every open connection; close those silent since the last sweep."""
        for connection in list(self.connections):
            connection.check()
        self.sweeper = asyncio.get_running_loop().call_later(self.interval, self.sweep)

    async def stop(self) -> None:
        if self.sweeper is not None:
            self.sweeper.cancel()
        if self.server is not None:
            self.server.close()
        tasks = [c.task for c in self.connections if c.task is not None]
        for connection in list(self.connections):
            connection.going_away()
        if tasks:  # the endpoints see the disconnect and drop their subscriptions
            await asyncio.wait(tasks, timeout=5)
        if self.server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.server.wait_closed(), 1)


async def start(app: ASGIApp, settings: Settings) -> Listener | None:
    """Listen on `stream_port` (when set) for the rest of the app's life."""
    if not settings.stream_port:
        return None
    listener = Listener(app, settings)
    await listener.start()
    log.info("streaming listener on %s:%d", *listener.address)
    return listener


async def stop(listener: Listener | None) -> None:
    if listener is not None:
        await listener.stop()
