"""Mastodon's streaming API: the websocket at `/api/v1/streaming`, the event streams (SSE)
under it, and `GET /api/v1/streaming/health`.

The websocket takes its token from `Authorization: Bearer`, `?access_token=` or the
`Sec-WebSocket-Protocol` header (echoed back as the accepted subprotocol, as browsers need);
a token that is no longer valid is refused before the upgrade (HTTP 401), none at all lets
the client read public streams. A client opens streams with `?stream=` (and `tag=`/`list=`)
or `{"type": "subscribe", "stream": …}` messages, closes them with `unsubscribe`; each event
goes out as `{"stream": [name(, tag or list id)], "event": …, "payload": "<JSON>"}`, a
refused subscription as `{"error": …, "status": …}`.

An event stream (`/api/v1/streaming/user`, `/public/local`…) sends `event: …` / `data: …`
pairs, and a `:thump` comment every 15 seconds while nothing happens; a refusal is answered
before it starts, with a JSON `{"error": …}` and its status.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import orjson
from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send

from tandem.api.http import JSON, BadRequest, read_params
from tandem.api.locale import request_locale
from tandem.api.mastodon.endpoint import header_token
from tandem.api.mastodon.streaming.render import Out
from tandem.api.mastodon.streaming.session import Session, http_request
from tandem.api.mastodon.streaming.streams import (
    NAMES,
    UNKNOWN_STREAM,
    Stream,
    StreamError,
    key_of,
    open_stream,
)
from tandem.core import oauth
from tandem.core.errors import DomainError
from tandem.core.i18n import render
from tandem.core.models import Principal
from tandem.services import Services

HEARTBEAT_SECONDS = 15.0
FALSE_VALUES = ("", "0", "f", "false", "off", "no")

# The event streams by path, as Mastodon names them (`?only_media=true` adds `:media`).
SSE_PATHS = {
    "/api/v1/streaming/user": "user",
    "/api/v1/streaming/user/notification": "user:notification",
    "/api/v1/streaming/public": "public",
    "/api/v1/streaming/public/local": "public:local",
    "/api/v1/streaming/public/remote": "public:remote",
    "/api/v1/streaming/hashtag": "hashtag",
    "/api/v1/streaming/hashtag/local": "hashtag:local",
    "/api/v1/streaming/list": "list",
    "/api/v1/streaming/direct": "direct",
}
MEDIA_ONLY = frozenset({"public", "public:local", "public:remote"})


def _services(scope: Scope) -> Services:
    services: Services = scope["app"].state.services
    return services


def _first(value: object) -> object:
    return value[0] if isinstance(value, list) and value else value


def _truthy(value: object) -> bool:
    value = _first(value)
    if isinstance(value, bool):
        return value
    return value is not None and str(value).strip().lower() not in FALSE_VALUES


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


# -- the websocket ------------------------------------------------------------------------


def _socket_token(conn: HTTPConnection) -> tuple[str | None, bool]:
    """The connection's token, and whether it came as the websocket subprotocol."""
    found = header_token(http_request(conn.scope))
    if found is not None:
        return found, False
    found = conn.query_params.get("access_token")
    if found:
        return found, False
    protocol = conn.headers.get("sec-websocket-protocol")
    if protocol:
        token = protocol.split(",")[0].strip()
        return (token, True) if token else (None, False)
    return None, False


async def _deny(scope: Scope, send: Send, status: int, error: str) -> None:
    """Refuse the upgrade with an HTTP answer (a bare close where the server cannot)."""
    if "websocket.http.response" not in scope.get("extensions", {}):
        await send({"type": "websocket.close", "code": 1008, "reason": error[:120]})
        return
    body = orjson.dumps({"error": error})
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "websocket.http.response.start", "status": status, "headers": headers})
    await send({"type": "websocket.http.response.body", "body": body})


class StreamingSocket:
    """The ASGI app of `/api/v1/streaming` (websocket)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (await receive())["type"] != "websocket.connect":
            return
        services = _services(scope)
        conn = HTTPConnection(scope)
        token, as_protocol = _socket_token(conn)
        principal: Principal | None = None
        if token is not None:
            try:
                principal = await oauth.principal(services.db, token)
            except DomainError as err:
                locale = request_locale(http_request(scope))
                await _deny(scope, send, 401, render(err.message, locale))
                return
        accepted: dict[str, Any] = {"type": "websocket.accept"}
        if as_protocol:
            accepted["subprotocol"] = token
        await send(accepted)

        async def emit(stream: Stream, out: Out) -> None:
            event, payload = out
            message: dict[str, Any] = {"stream": stream.label, "event": event}
            if payload is not None:
                message["payload"] = payload
            await send({"type": "websocket.send", "text": _dumps(message)})

        async def overflowed() -> None:
            await send({"type": "websocket.close", "code": 1013})

        session = Session(scope, services, principal, emit, overflowed)
        try:
            query = {k: v for k, v in conn.query_params.items()}
            if query.get("stream"):
                await _subscribe(session, send, query.get("stream"), dict(query))
            while True:
                message = await receive()
                if message["type"] != "websocket.receive":
                    break  # websocket.disconnect
                text = message.get("text")
                if text is None:  # binary frames: Mastodon closes the connection
                    await send({"type": "websocket.close", "code": 1003})
                    break
                await _on_message(session, send, text)
        finally:
            await session.close()


async def _on_message(session: Session, send: Send, text: str) -> None:
    try:
        found = orjson.loads(text)
    except orjson.JSONDecodeError:
        return  # as Mastodon: a message that is not JSON is ignored
    if not isinstance(found, dict):
        return
    kind = found.get("type")
    name = _first(found.get("stream"))
    params = {k: v for k, v in found.items() if k not in ("type", "stream")}
    if kind == "subscribe":
        await _subscribe(session, send, name, params)
    elif kind == "unsubscribe":
        if isinstance(name, str) and name in NAMES:
            await session.remove(key_of(name, params))  # (not subscribed: nothing to do)
        else:
            await _error(session, send, StreamError(400, UNKNOWN_STREAM))


async def _subscribe(session: Session, send: Send, name: object, params: dict[str, object]) -> None:
    try:
        stream = await open_stream(
            session.services.db, session.principal, name if isinstance(name, str) else None, params
        )
    except StreamError as err:
        await _error(session, send, err)
        return
    await session.add(stream)


async def _error(session: Session, send: Send, err: StreamError) -> None:
    message = {"error": session.text(err.message), "status": err.status}
    await send({"type": "websocket.send", "text": _dumps(message)})


# -- event streams ------------------------------------------------------------------------


class EventStream:
    """The ASGI app of one event stream path (SSE)."""

    def __init__(self, name: str) -> None:
        self.name = name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        services = _services(scope)
        request = Request(scope, receive)
        principal: Principal | None = None
        try:
            params = await read_params(request)
            token = header_token(request) or _first(params.get("access_token"))
            if isinstance(token, str) and token:
                principal = await oauth.principal(services.db, token)
            name = self.name
            if name in MEDIA_ONLY and _truthy(params.get("only_media")):
                name = f"{name}:media"
            stream = await open_stream(services.db, principal, name, params)
        except StreamError as err:
            await _refuse(request, err.status, err.message, scope, receive, send)
            return
        except BadRequest as err:
            await _refuse(request, err.status, err.message, scope, receive, send)
            return
        except DomainError as err:  # a token that is not (or no longer) valid
            await _refuse(request, 401, err.message, scope, receive, send)
            return
        await _serve_events(scope, receive, send, services, principal, stream)


async def _refuse(
    request: Request,
    status: int,
    message: str,
    scope: Scope,
    receive: Receive,
    send: Send,
) -> None:
    text = render(message, request_locale(request))  # (as Session.locale: not the account's)
    headers = {"Cache-Control": "private, no-store"}
    await JSON({"error": text}, status_code=status, headers=headers)(scope, receive, send)


async def _serve_events(
    scope: Scope,
    receive: Receive,
    send: Send,
    services: Services,
    principal: Principal | None,
    stream: Stream,
) -> None:
    async def emit(stream: Stream, out: Out) -> None:
        event, payload = out
        data = payload if payload is not None else "undefined"
        body = f"event: {event}\ndata: {data}\n\n".encode()
        await send({"type": "http.response.body", "body": body, "more_body": True})

    done = asyncio.Event()

    async def overflowed() -> None:
        done.set()

    session = Session(scope, services, principal, emit, overflowed)
    headers = [
        (b"content-type", b"text/event-stream"),
        (b"cache-control", b"private, no-store"),
        (b"x-accel-buffering", b"no"),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b":)\n", "more_body": True})
    try:
        await session.add(stream)
        while not done.is_set():
            try:
                async with asyncio.timeout(HEARTBEAT_SECONDS):
                    message = await receive()
            except TimeoutError:
                await send({"type": "http.response.body", "body": b":thump\n", "more_body": True})
                continue
            if message["type"] == "http.disconnect":
                return
    finally:
        await session.close()
        with contextlib.suppress(Exception):
            await send({"type": "http.response.body", "body": b"", "more_body": False})


# -- the rest -----------------------------------------------------------------------------


async def health(request: Request) -> Response:
    return PlainTextResponse("OK", headers={"Cache-Control": "private, no-store"})


async def unknown(request: Request) -> Response:
    text = render(UNKNOWN_STREAM, request_locale(request))
    return JSON({"error": text}, status_code=400, headers={"Cache-Control": "private, no-store"})


def all_routes() -> list[BaseRoute]:
    socket = StreamingSocket()
    found: list[BaseRoute] = [
        WebSocketRoute("/api/v1/streaming", socket),
        WebSocketRoute("/api/v1/streaming/", socket),
        Route("/api/v1/streaming/health", health, methods=["GET", "HEAD"]),
    ]
    found += [Route(path, EventStream(name), methods=["GET"]) for path, name in SSE_PATHS.items()]
    found += [
        Route("/api/v1/streaming", unknown, methods=["GET"]),
        Route("/api/v1/streaming/{rest:path}", unknown, methods=["GET"]),
    ]
    return found
