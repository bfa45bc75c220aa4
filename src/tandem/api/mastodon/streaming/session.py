"""One open stream connection (a websocket or an event stream) and its events.

Idle, a connection costs its handler's task (waiting for the client), one `Inbox` (a
subscription of the event bus) and a few small objects: nothing polls. An event landing in
the inbox starts a short-lived task that renders what is waiting, for each of the
connection's streams that hears its topic, and sends it; the task ends when the inbox is
empty. A connection whose inbox overflows (its client reads too slowly) is closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.types import Scope

from tandem.api.locale import request_locale
from tandem.api.mastodon.endpoint import Ctx
from tandem.api.mastodon.params import Params
from tandem.api.mastodon.streaming.render import Out, event_for
from tandem.api.mastodon.streaming.streams import Stream
from tandem.core.events import Bus, Event, Subscription, bus_of
from tandem.core.i18n import render
from tandem.core.models import Principal
from tandem.services import Services

log = logging.getLogger("tandem.streaming")
Emit = Callable[[Stream, Out], Awaitable[None]]


class Inbox(Subscription):
    """A subscription that wakes its connection when an event arrives."""

    __slots__ = ("wake",)

    def __init__(self, bus: Bus, wake: Callable[[], None]) -> None:
        super().__init__(bus)
        self.wake = wake

    def deliver(self, event: Event) -> None:
        super().deliver(event)
        self.wake()


def http_request(scope: Scope) -> Request:
    """A plain GET request over the connection's scope (what the dialect's helpers read)."""
    return Request({**scope, "type": "http", "method": "GET"})


class Session:
    """A connection's streams, its inbox, and the task sending what the inbox holds."""

    __slots__ = ("_drainer", "emit", "inbox", "on_overflow", "principal", "scope", "streams")

    def __init__(
        self,
        scope: Scope,
        services: Services,
        principal: Principal | None,
        emit: Emit,
        on_overflow: Callable[[], Awaitable[None]],
    ) -> None:
        self.scope = scope
        self.principal = principal
        self.emit = emit
        self.on_overflow = on_overflow
        self.streams: dict[tuple[str, str | None], Stream] = {}
        self.inbox = Inbox(bus_of(services.db), self._wake)
        self._drainer: asyncio.Task[None] | None = None

    @property
    def services(self) -> Services:
        services: Services = self.scope["app"].state.services
        return services

    def locale(self) -> str:
        """The language of an error: the one the client asks for (`lang`, Accept-Language),
        else English, as Mastodon's streaming server answers (never the account's own)."""
        return request_locale(http_request(self.scope))

    def text(self, message: str) -> str:
        return render(message, self.locale())

    async def add(self, stream: Stream) -> bool:
        """Listen to a stream (False: the connection already does)."""
        if stream.key in self.streams:
            return False
        self.streams[stream.key] = stream
        await self.inbox.add(*stream.topics)
        return True

    async def remove(self, key: tuple[str, str | None]) -> bool:
        stream = self.streams.pop(key, None)
        if stream is None:
            return False
        still = {t for s in self.streams.values() for t in s.topics}
        await self.inbox.remove(*(t for t in stream.topics if t not in still))
        return True

    async def close(self) -> None:
        drainer, self._drainer = self._drainer, None
        if drainer is not None and drainer is not asyncio.current_task():
            drainer.cancel()
        self.streams.clear()
        await self.inbox.close()

    def _wake(self) -> None:
        if self._drainer is None:
            self._drainer = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        try:
            ctx: Ctx | None = None
            queue = self.inbox.queue
            while not queue.empty():
                if self.inbox.overflowed:
                    await self.on_overflow()
                    return
                event = queue.get_nowait()
                if ctx is None:
                    request = http_request(self.scope)
                    ctx = Ctx(request, self.services, Params({}), self.principal)
                try:
                    await self._dispatch(ctx, event)
                except Exception:  # a client gone mid-send, or an event that cannot be shown
                    log.warning("could not stream a %s event", event.kind, exc_info=True)
        finally:
            if self._drainer is asyncio.current_task():
                self._drainer = None

    async def _dispatch(self, ctx: Ctx, event: Event) -> None:
        for stream in list(self.streams.values()):
            if event.topic not in stream.topics:
                continue
            out = await event_for(ctx, stream, event)
            if out is not None:
                await self.emit(stream, out)
