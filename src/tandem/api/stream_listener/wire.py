"""One connection of the streaming listener: the bytes through the `websockets` library's
Sans-I/O `ServerProtocol`, and the stream endpoint's ASGI websocket call (see __init__)."""

from __future__ import annotations

import asyncio
import contextlib
import http
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote

from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from websockets.datastructures import Headers
from websockets.frames import Frame, Opcode
from websockets.http11 import Request, Response
from websockets.protocol import CLOSED, CONNECTING, OPEN, Protocol
from websockets.server import ServerProtocol

from tandem.api.mastodon.streaming.endpoints import StreamingSocket
from tandem.api.misskey.streaming.connection import endpoint as misskey_endpoint

if TYPE_CHECKING:
    from tandem.api.stream_listener import Listener

log = logging.getLogger("tandem.streaming")
# The websocket library's own log lines ("connection open"... one per connection) stay quiet.
WIRE_LOG = logging.getLogger("tandem.streaming.wire")
WIRE_LOG.setLevel(logging.WARNING)

MAX_MESSAGE = 64 * 1024
# Client messages waiting for the endpoint before the listener stops reading the socket.
MAX_WAITING = 16
MISSKEY_PATH = "/streaming"
MASTODON_PATH = "/api/v1/streaming"
HEALTH_PATH = "/api/v1/streaming/health"

# Shared by every connection (never changed by the endpoints).
_ASGI = {"version": "3.0", "spec_version": "2.4"}
_EXTENSIONS: dict[str, Any] = {"websocket.http.response": {}}
_CONNECT: Message = {"type": "websocket.connect"}

_NO_HEADERS = Headers()
# Headers only the handshake reads (done here), or that no stream reads (the API's tokens
# come in the query, `Authorization` or the subprotocol, never a cookie): not kept in the
# scope of a long connection (a browser's cookies alone can be kilobytes).
_HANDSHAKE_ONLY = frozenset(
    {
        "connection",
        "upgrade",
        "sec-websocket-key",
        "sec-websocket-version",
        "sec-websocket-extensions",
        "cookie",
        "pragma",
        "cache-control",
        "accept-encoding",
    }
)
_NAMES: dict[str, bytes] = {}  # header names as bytes, one copy each

Call = Callable[[Scope, Receive, Send], Awaitable[None]]


def _header_name(name: str) -> bytes:
    found = _NAMES.get(name)
    if found is None:
        found = name.lower().encode("latin-1")
        if len(_NAMES) < 512:
            _NAMES[name] = found
    return found


def _misskey(scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
    """Misskey's endpoint takes a Starlette WebSocket (no route wrappers in between)."""
    return misskey_endpoint(WebSocket(scope, receive, send))


_MASTODON: Call = StreamingSocket()


def endpoint_for(path: str) -> Call | None:
    """The stream endpoint serving a websocket path, if any."""
    if path == MISSKEY_PATH:
        return _misskey
    if path == MASTODON_PATH or path.startswith(MASTODON_PATH + "/"):
        return _MASTODON
    return None


class WireConnection(asyncio.Protocol):
    """One connection: bytes in and out of a `ServerProtocol`, and the endpoint's ASGI call."""

    __slots__ = (
        "code",
        "connected",
        "drained",
        "gone",
        "listener",
        "partial",
        "paused",
        "pending",
        "pinged",
        "response",
        "task",
        "transport",
        "waiter",
        "ws",
    )

    def __init__(self, listener: Listener) -> None:
        self.listener = listener
        self.ws = ServerProtocol(max_size=MAX_MESSAGE, logger=WIRE_LOG)
        self.transport: asyncio.Transport | None = None
        self.task: asyncio.Task[None] | None = None
        self.response: Response | None = None  # held until the endpoint accepts or refuses
        self.pending: list[Message] | None = None  # client messages not yet received
        self.waiter: asyncio.Future[None] | None = None  # the endpoint waiting in receive()
        self.drained: asyncio.Future[None] | None = None  # a send waiting for the socket
        self.paused = False  # the socket's write buffer is full
        self.connected = False  # websocket.connect given to the endpoint
        self.gone = False  # the client (or the listener) ended the connection
        self.code = 1006
        self.pinged = False  # silent since the last sweep
        self.partial: list[bytes] | None = None  # a fragmented message: opcode, then parts

    # The transport's side

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # (uvloop's: no subclass)
        self.listener.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.listener.connections.discard(self)
        self.transport = None
        with contextlib.suppress(Exception):
            self.ws.receive_eof()
        self._end(self.ws.close_code or 1006)
        if self.drained is not None and not self.drained.done():
            self.drained.set_result(None)

    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        if self.drained is not None and not self.drained.done():
            self.drained.set_result(None)
        self.drained = None

    def data_received(self, data: bytes) -> None:
        ws = self.ws
        ws.receive_data(data)
        for event in ws.events_received():
            if isinstance(event, Request):
                self._handshake(event, data.endswith(b"\r\n\r\n"))
            elif isinstance(event, Frame):
                self._frame(event)
        self.flush()
        if ws.state is OPEN:
            self.pinged = False
        if ws.close_rcvd is not None or ws.parser_exc is not None or ws.state is CLOSED:
            self._end(ws.close_code or 1006)

    def eof_received(self) -> bool | None:
        with contextlib.suppress(Exception):
            self.ws.receive_eof()
        self.flush()
        self._end(self.ws.close_code or 1006)
        return None  # the transport closes itself

    def flush(self) -> None:
        transport = self.transport
        for chunk in self.ws.data_to_send():
            if transport is None or transport.is_closing():
                return
            if chunk:
                transport.write(chunk)
            else:  # the end of the connection: an HTTP answer, or the closing handshake
                transport.close()

    def check(self) -> None:
        """The sweep's visit: ping, or close what has been silent since the last visit."""
        transport = self.transport
        if transport is None:
            return
        if self.pinged:
            transport.abort()
            return
        self.pinged = True
        if self.ws.state is OPEN:
            self.ws.send_ping(b"")
            self.flush()

    def going_away(self) -> None:
        if self.ws.state is OPEN:
            self.ws.send_close(1001)
            self.flush()
        if self.transport is not None:
            self.transport.close()
        self._end(1001)

    # The handshake

    def _handshake(self, request: Request, whole: bool) -> None:
        """`whole`: the data read ended with the request (no byte of a frame read yet)."""
        ws = self.ws
        path, _, query = request.path.partition("?")
        upgrade = "Upgrade" in request.headers
        if path == HEALTH_PATH and not upgrade and request.method in ("GET", "HEAD"):
            body = b"OK" if request.method == "GET" else b""
            headers = Headers(
                [
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Length", "2"),
                    ("Cache-Control", "private, no-store"),
                    ("Connection", "close"),
                ]
            )
            ws.send_response(Response(200, "OK", headers, body))
            return
        call = endpoint_for(unquote(path))
        if call is None:
            ws.send_response(ws.reject(http.HTTPStatus.NOT_FOUND, "Not Found\n"))
            return
        response = ws.accept(request)
        if response.status_code != 101:  # not a valid websocket handshake
            ws.send_response(response)
            return
        self.response = response
        scope = self._scope(request, path, query)
        _forget(ws, request, whole)
        loop = asyncio.get_running_loop()
        self.task = loop.create_task(call(scope, self.receive, self.send))  # type: ignore[arg-type]
        self.task.add_done_callback(self._finished)

    def _scope(self, request: Request, path: str, query: str) -> Scope:
        headers = [
            (_header_name(name), value.encode("latin-1"))
            for name, value in request.headers.raw_items()
            if name.lower() not in _HANDSHAKE_ONLY
        ]
        protocols = [
            p.strip()
            for value in request.headers.get_all("Sec-WebSocket-Protocol")
            for p in value.split(",")
            if p.strip()
        ]
        transport = self.transport
        peer = transport.get_extra_info("peername") if transport is not None else None
        # (The optional keys left out: http_version "1.1", scheme "ws", root_path "", raw_path;
        # ten keys fit a smaller dict.)
        return {
            "type": "websocket",
            "asgi": _ASGI,
            "server": self.listener.address,
            "client": (str(peer[0]), int(peer[1])) if peer else None,
            "path": unquote(path),
            "query_string": query.encode("latin-1"),
            "headers": headers,
            "subprotocols": protocols,
            "extensions": _EXTENSIONS,
            "app": self.listener.app,
        }

    # Frames from the client

    def _frame(self, frame: Frame) -> None:
        opcode = frame.opcode
        if opcode is Opcode.TEXT or opcode is Opcode.BINARY or opcode is Opcode.CONT:
            data = frame.data
            if opcode is Opcode.CONT or not frame.fin:  # a fragment (the protocol bounds the
                parts = self.partial  # whole message by MAX_MESSAGE)
                if parts is None:
                    self.partial = [bytes([opcode.value]), bytes(data)]
                    return
                parts.append(bytes(data))
                if not frame.fin:
                    return
                self.partial = None
                opcode, data = Opcode(parts[0][0]), b"".join(parts[1:])
            if opcode is Opcode.TEXT:
                try:
                    text = bytes(data).decode()
                except UnicodeDecodeError:
                    self.ws.fail(1007, "invalid UTF-8")
                    return
                self._deliver({"type": "websocket.receive", "text": text})
            else:
                self._deliver({"type": "websocket.receive", "bytes": bytes(data)})
        elif opcode is Opcode.CLOSE:
            self._end(self.ws.close_code or 1005)

    def _deliver(self, message: Message) -> None:
        if self.task is None or self.gone:
            return
        if self.pending is None:
            self.pending = []
        self.pending.append(message)
        if len(self.pending) >= MAX_WAITING and self.transport is not None:
            self.transport.pause_reading()
        self._wake()

    def _end(self, code: int) -> None:
        if self.gone:
            return
        self.gone = True
        self.code = code
        self._wake()

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # The endpoint's side (ASGI)

    async def receive(self) -> Message:
        if not self.connected:
            self.connected = True
            return _CONNECT
        while True:
            pending = self.pending
            if pending:
                message = pending.pop(0)
                if not pending:
                    self.pending = None
                    if self.transport is not None and not self.gone:
                        self.transport.resume_reading()
                return message
            if self.gone:
                return {"type": "websocket.disconnect", "code": self.code}
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None

    async def send(self, message: Message) -> None:
        kind = message["type"]
        ws = self.ws
        if self.transport is None:
            return  # the client is gone (before or after the handshake): nothing to answer
        if kind == "websocket.send":
            if ws.state is not OPEN:
                return  # closing: the endpoint's receive() says so
            text = message.get("text")
            if text is not None:
                ws.send_text(text.encode())
            else:
                ws.send_binary(message.get("bytes") or b"")
            self.flush()
            if self.paused and self.transport is not None:
                if self.drained is None:
                    self.drained = asyncio.get_running_loop().create_future()
                await self.drained
        elif kind == "websocket.accept":
            self._accept(message)
        elif kind == "websocket.close":
            if ws.state is CONNECTING:
                self._refuse(403)
            elif ws.state is OPEN:
                ws.send_close(int(message.get("code") or 1000), str(message.get("reason") or ""))
                self.flush()
        elif kind == "websocket.http.response.start":
            if ws.state is CONNECTING and self.response is not None:
                headers = Headers(
                    [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message["headers"]]
                )
                status = int(message["status"])
                self.response = Response(status, _phrase(status), headers, b"")
        elif kind == "websocket.http.response.body":
            response = self.response
            if ws.state is CONNECTING and response is not None and response.status_code != 101:
                response.body = bytes(response.body) + bytes(message.get("body", b""))
                if not message.get("more_body", False):
                    self.response = None
                    if "Content-Length" not in response.headers:
                        response.headers["Content-Length"] = str(len(response.body))
                    response.headers["Connection"] = "close"
                    ws.send_response(response)
                    self.flush()

    def _accept(self, message: Message) -> None:
        response = self.response
        if self.ws.state is not CONNECTING or response is None or response.status_code != 101:
            return
        self.response = None
        subprotocol = message.get("subprotocol")
        if subprotocol:
            response.headers["Sec-WebSocket-Protocol"] = str(subprotocol)
        for name, value in message.get("headers") or ():
            response.headers[name.decode("latin-1")] = value.decode("latin-1")
        self.ws.send_response(response)
        self.flush()

    def _refuse(self, status: int) -> None:
        self.response = None
        self.ws.send_response(self.ws.reject(status, f"{_phrase(status)}\n"))
        self.flush()

    def _finished(self, task: asyncio.Task[None]) -> None:
        self.task = None
        failed = not task.cancelled() and task.exception() is not None
        if failed:
            log.error("a stream endpoint failed", exc_info=task.exception())
        ws = self.ws
        if self.transport is None:
            return
        if ws.state is CONNECTING:  # neither accepted nor refused: ASGI says 403
            self._refuse(500 if failed else 403)
        elif ws.state is OPEN:
            ws.send_close(1011 if failed else 1000)
            self.flush()


def _forget(ws: ServerProtocol, request: Request, whole: bool) -> None:
    """Let go of the handshake request, which the protocol's parser would keep for the
    connection's life (a local of its generator: ~3 KiB of headers, in the scope now).

    With nothing read past the request (a client sends no frame before the handshake's
    answer), the parser only waits for the first frame: a fresh frame parser is the same
    parser without the request. Otherwise the request stays, without its headers."""
    if whole and not ws.reader.buffer:
        ws.parser = Protocol.parse(ws)
        next(ws.parser)
    else:
        request.headers = _NO_HEADERS


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
