"""One Misskey streaming connection (`/streaming`): its frames and its channels.

Misskey's protocol (StreamingApiServerService.ts, stream/Connection.ts): the token comes as
`?i=` or `Authorization: Bearer`; a bad one is refused with 401 before the upgrade, a
suspended account with 403; no token is an anonymous connection (public channels only).
Client frames are `{type, body}`: `connect {channel, id, params?, pong?}`, `disconnect {id}`,
`ch`/`channel {id, type, body}`, `subNote`/`s`/`sr {id}` and `unsubNote`/`un {id}` (note
capture), `readNotification`. The server sends channel events `{type: "channel", body: {id,
type, body}}` and captured-note events `{type: "noteUpdated", body: {id, type, body}}`.

An idle connection costs one task (the ASGI call waiting for a frame) and its small state:
events are pushed into its inbox by the bus, and a short-lived task renders them when some
arrive. Pings are the websocket server's (uvicorn and granian ping idle connections).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from typing import Any

import orjson
from starlette.responses import Response
from starlette.websockets import WebSocket

from tandem.api.http import client_ip
from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import authenticate, request_token
from tandem.api.misskey.entities.common import Ctx
from tandem.api.misskey.streaming.channels import CHANNELS, Channel, announcement_created
from tandem.core import announcements, notifications, oauth, permissions, sessions, stream_events
from tandem.core.events import QUEUE_LIMIT, Event, Subscription, bus_of
from tandem.core.ids import parse_id
from tandem.core.models import Account, Principal
from tandem.services import Services

log = logging.getLogger("tandem.streaming")

MAX_CHANNELS = 32
# At most this many notes captured at once by one connection (Misskey has no limit; memory
# per connection stays bounded).
MAX_CAPTURED = 256
# Close code for a connection whose inbox overflowed (too slow a reader): it reconnects.
TOO_SLOW = 4000


class Inbox(Subscription):
    """The connection's subscription: an event arriving wakes the connection's renderer.

    Its waiting events are a plain deque, made when the first one arrives (an idle stream
    holds no asyncio.Queue: ~2 KiB each, a tenth of what an idle connection costs)."""

    __slots__ = ("connection", "waiting")

    def __init__(self, connection: Connection) -> None:  # (no queue of its own: `waiting`)
        self._bus = bus_of(connection.services.db)
        self.topics = set()
        self.overflowed = False
        self.connection = connection
        self.waiting: deque[Event] | None = None

    def deliver(self, event: Event) -> None:
        if self.waiting is None:
            self.waiting = deque()
        if len(self.waiting) >= QUEUE_LIMIT:
            self.overflowed = True
        else:
            self.waiting.append(event)
        self.connection.wake()

    async def next(self) -> Event:
        raise NotImplementedError("a connection drains `waiting`")


class Connection:
    __slots__ = (
        "captured",
        "channels",
        "ctx",
        "inbox",
        "principal",
        "routes",
        "services",
        "socket",
        "worker",
    )

    def __init__(self, socket: WebSocket, services: Services, principal: Principal | None) -> None:
        self.socket = socket
        self.services = services
        self.principal = principal
        self.channels: dict[str, Channel] = {}
        self.routes: dict[str, list[Channel]] = {}  # topic → the channels listening to it
        self.captured: set[int] = set()  # notes captured with subNote
        self.inbox = Inbox(self)
        self.worker: asyncio.Task[None] | None = None
        self.ctx = Ctx(services.settings, self.viewer.id if self.viewer else None)

    @property
    def viewer(self) -> Account | None:
        return self.principal.account if self.principal is not None else None

    # Sending

    async def send(self, type: str, body: Any) -> None:
        text = orjson.dumps({"type": type, "body": body}).decode()
        with contextlib.suppress(Exception):  # the client went away: the reader sees it
            await self.socket.send_text(text)

    async def emit(self, channel: Channel, type: str, body: Any) -> None:
        await self.send("channel", {"id": channel.id, "type": type, "body": body})

    # Events from the bus

    def wake(self) -> None:
        if self.worker is None or self.worker.done():
            self.worker = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        inbox = self.inbox
        while inbox.waiting:
            if inbox.overflowed:
                with contextlib.suppress(Exception):
                    await self.socket.close(TOO_SLOW)
                return
            event = inbox.waiting.popleft()
            try:
                await self._handle(event)
            except Exception:
                log.warning("could not stream a %s event", event.kind, exc_info=True)
        inbox.waiting = None

    async def _handle(self, event: Event) -> None:
        if event.topic.startswith("note:"):
            await self._note_updated(event)
            return
        if event.topic == announcements.BROADCAST:  # to every connection, outside channels
            if event.kind == "announcement.created":
                rendered = await announcement_created(self, event)
                if rendered is not None:
                    await self.send("announcementCreated", rendered)
            return
        for channel in list(self.routes.get(event.topic, ())):
            await channel.on_event(event)

    async def _note_updated(self, event: Event) -> None:
        data = event.data
        status_id = str(data.get("status_id"))
        body: dict[str, Any]
        if event.kind in ("reacted", "unreacted"):
            body = {"reaction": data.get("reaction"), "userId": str(data.get("account_id"))}
            if event.kind == "reacted":
                body["emoji"] = None
        elif event.kind == "pollVoted":
            body = {"choice": data.get("choice"), "userId": str(data.get("account_id"))}
        elif event.kind == "deleted":
            body = {"deletedAt": None}
        else:
            return
        await self.send("noteUpdated", {"id": status_id, "type": event.kind, "body": body})

    async def listen(self, channel: Channel, topics: list[str]) -> None:
        for topic in topics:
            self.routes.setdefault(topic, []).append(channel)
        await self.inbox.add(*topics)

    async def unlisten(self, channel: Channel) -> None:
        gone: list[str] = []
        for topic in channel.topics:
            found = self.routes.get(topic)
            if found is None:
                continue
            with contextlib.suppress(ValueError):
                found.remove(channel)
            if not found:
                del self.routes[topic]
                gone.append(topic)
        await self.inbox.remove(*gone)

    # Frames from the client

    async def run(self) -> None:
        try:
            await self.inbox.add(announcements.BROADCAST)  # as Misskey's broadcast stream
            while True:
                message = await self.socket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                raw = message.get("text")
                if raw is None:
                    raw = message.get("bytes")
                if raw:
                    await self._frame(raw)
        finally:
            await self.close()

    async def close(self) -> None:
        if self.worker is not None and not self.worker.done():
            self.worker.cancel()
        for channel in list(self.channels.values()):
            with contextlib.suppress(Exception):
                await channel.stop()
        self.channels.clear()
        self.routes.clear()
        await self.inbox.close()

    async def _frame(self, raw: str | bytes) -> None:
        try:
            frame = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return
        if not isinstance(frame, dict):
            return
        type, body = frame.get("type"), frame.get("body")
        if type == "readNotification" and self.viewer is not None:
            await self._read_notifications()
            return
        if not isinstance(body, dict):
            return
        try:
            if type == "connect":
                await self._connect(body)
            elif type == "disconnect":
                await self._disconnect(body)
            elif type in ("ch", "channel"):
                await self._to_channel(body)
            elif type in ("subNote", "s", "sr"):
                await self._capture(body)
            elif type in ("unsubNote", "un"):
                await self._release(body)
        except Exception:  # a client's odd frame never ends the connection
            log.warning("could not handle a %s frame", type, exc_info=True)

    async def _connect(self, body: dict[str, Any]) -> None:
        name, id, params = body.get("channel"), body.get("id"), body.get("params")
        if not isinstance(name, str) or not isinstance(id, str) or id in self.channels:
            return
        kind = CHANNELS.get(name)
        if kind is None or len(self.channels) >= MAX_CHANNELS:
            return
        if kind.shared and any(type(c) is kind for c in self.channels.values()):
            return
        if kind.credential or kind.permission:
            if self.principal is None or self.viewer is None:
                return
            token = self.principal.token
            if kind.permission and not (
                token.native or permissions.granted(kind.permission, token.scopes)
            ):
                return
        channel = kind(self, id)
        if not await channel.start(params if isinstance(params, dict) else {}):
            return
        self.channels[id] = channel
        if body.get("pong") is True:
            await self.send("connected", {"id": id})

    async def _disconnect(self, body: dict[str, Any]) -> None:
        id = body.get("id")
        channel = self.channels.pop(id, None) if isinstance(id, str) else None
        if channel is not None:
            await channel.stop()

    async def _to_channel(self, body: dict[str, Any]) -> None:
        id, type = body.get("id"), body.get("type")
        channel = self.channels.get(id) if isinstance(id, str) else None
        if channel is not None and isinstance(type, str) and "body" in body:
            await channel.on_message(type, body["body"])

    async def _capture(self, body: dict[str, Any]) -> None:
        status_id = parse_id(body.get("id"))
        if status_id is None or status_id in self.captured or len(self.captured) >= MAX_CAPTURED:
            return
        if await stream_events.shown(self.services.db, self.viewer, status_id) is None:
            return
        self.captured.add(status_id)
        await self.inbox.add(stream_events.note_topic(status_id))

    async def _release(self, body: dict[str, Any]) -> None:
        status_id = parse_id(body.get("id"))
        if status_id is not None and status_id in self.captured:
            self.captured.discard(status_id)
            await self.inbox.remove(stream_events.note_topic(status_id))

    async def _read_notifications(self) -> None:
        viewer = self.viewer
        assert viewer is not None
        await notifications.mark_read(self.services.db, viewer)
        for channel in self.channels.values():
            if channel.name == "main":
                await self.emit(channel, "readAllNotifications", None)


async def _refuse(socket: WebSocket, status: int, headers: dict[str, str]) -> None:
    """Answer the upgrade with an HTTP error (servers without the denial extension: a close
    before accepting, which they answer with 403)."""
    if "websocket.http.response" in socket.scope.get("extensions", {}):
        await socket.send_denial_response(Response(status_code=status, headers=headers))
    else:
        await socket.close()


INVALID_TOKEN = (
    'Bearer realm="Misskey", error="invalid_token", error_description="Failed to authenticate"'
)


async def endpoint(socket: WebSocket) -> None:
    services: Services = socket.app.state.services
    given = socket.query_params.get("i")
    token = request_token(socket, {"i": given} if given is not None else {})
    try:
        principal = await authenticate(services, token)
    except e.MisskeyError:
        await _refuse(socket, 401, {"WWW-Authenticate": INVALID_TOKEN})
        return
    if token is not None and principal is None:  # a token of no account
        await _refuse(socket, 401, {"WWW-Authenticate": INVALID_TOKEN})
        return
    if principal is not None:
        assert principal.user is not None and principal.account is not None
        if sessions.login_block(principal.user, principal.account) is not None:
            await _refuse(socket, 403, {})
            return
        await oauth.seen(services.db, principal, client_ip(socket))  # drives onlineStatus
    await socket.accept()
    await Connection(socket, services, principal).run()
