"""The event bus over Redis pub/sub: several `tandem serve` processes (or hosts) share events.

Publishing pipelines one `PUBLISH tandem:ev:<topic> <json {k: kind, d: data}>` per event (a
fan-out to thousands of home feeds is one round trip). Each process holds one pub/sub
connection, subscribed to the topics its streams listen to: the first local listener of a
topic subscribes, the last one leaving unsubscribes (`events.Listeners`). One reader task
delivers what arrives to the local subscriptions; when Redis drops, it reconnects and
subscribes again to every topic still listened to (events published meanwhile are lost, as
pub/sub does; streams are live views, clients reload on reconnect).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import orjson

from tandem.core.events import Event, Listeners, Subscription

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.asyncio.client import PubSub

log = logging.getLogger("tandem.events")
PREFIX = "tandem:ev:"
RETRY_SECONDS = 1.0


def channel(topic: str) -> str:
    return PREFIX + topic


class RedisBus:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.listeners = Listeners()
        self._pubsub: PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._closed = False
        self._broken = False  # a subscription failed: the reader subscribes everything again

    async def publish(self, events: Sequence[Event]) -> None:
        if not events:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for event in events:
                pipe.publish(
                    channel(event.topic), orjson.dumps({"k": event.kind, "d": dict(event.data)})
                )
            await pipe.execute()

    async def listen(self, subscription: Subscription, topics: Sequence[str]) -> None:
        first = self.listeners.add(subscription, topics)
        if first:
            async with self._lock:
                pubsub = await self._connected()
                try:
                    await pubsub.subscribe(*(channel(t) for t in first))
                except Exception:  # Redis is away: the reader subscribes again
                    log.warning("could not subscribe to events", exc_info=True)
                    self._broken = True

    async def unlisten(self, subscription: Subscription, topics: Sequence[str]) -> None:
        last = self.listeners.remove(subscription, topics)
        if last and self._pubsub is not None:
            async with self._lock:
                with contextlib.suppress(Exception):
                    await self._pubsub.unsubscribe(*(channel(t) for t in last))

    async def _connected(self) -> PubSub:
        if self._pubsub is None:
            self._pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read())
        return self._pubsub

    async def _read(self) -> None:
        while not self._closed:
            try:
                if self._broken:
                    await asyncio.sleep(RETRY_SECONDS)
                    await self._resubscribe()
                    continue
                pubsub = self._pubsub
                if pubsub is None or not pubsub.subscribed:  # nothing listened to now
                    await asyncio.sleep(0.2)  # (what arrives meanwhile waits in the socket)
                    continue
                message = await pubsub.get_message(timeout=1.0)
                if message is not None:
                    self._deliver(message)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("the Redis event connection dropped; reconnecting", exc_info=True)
                self._broken = True

    async def _resubscribe(self) -> None:
        """A fresh pub/sub connection, subscribed to every topic listened to here."""
        async with self._lock:
            old = self._pubsub
            self._pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            if old is not None:
                with contextlib.suppress(Exception):
                    await old.aclose()  # type: ignore[no-untyped-call]
            topics = list(self.listeners.by_topic)
            if topics:
                await self._pubsub.subscribe(*(channel(t) for t in topics))
            self._broken = False

    def _deliver(self, message: dict[str, Any]) -> None:
        if message.get("type") != "message":
            return
        name = message.get("channel")
        if isinstance(name, bytes):
            name = name.decode()
        if not isinstance(name, str) or not name.startswith(PREFIX):
            return
        try:
            body = orjson.loads(message["data"])
            event = Event(name[len(PREFIX) :], str(body["k"]), body.get("d") or {})
        except (orjson.JSONDecodeError, KeyError, TypeError):
            log.warning("an unreadable event on %s", name)
            return
        self.listeners.deliver(event)

    async def close(self) -> None:
        self._closed = True
        self.listeners.by_topic.clear()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()  # type: ignore[no-untyped-call]
            self._pubsub = None
