"""The event bus: what just happened, told to the realtime streams of both dialects.

An event names its topic (whose stream hears it: `user:<account id>`, `home:<account id>`,
`public`, `chat:room:<room id>`…), a kind, and the ids of what changed; never rendered
entities, since each stream renders them for its own viewer, in its own dialect. Events are
published once the write that caused them has committed (never for a rolled back one).

The bus is in-process (`LocalBus`) unless the server has a Redis client: then events go
through Redis pub/sub (store/redis_events.py) so several `tandem serve` processes share them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from tandem.store.db import Database, writing
from tandem.store.db import after_commit as _after_commit

log = logging.getLogger("tandem.events")

# How many events a stream may have waiting before it is cut off as too slow (its client
# reconnects and reloads; an unbounded queue would let one stuck reader hold the memory).
QUEUE_LIMIT = 1000

Value = int | str | None


@dataclass(frozen=True, slots=True)
class Event:
    topic: str
    kind: str
    data: Mapping[str, Value] = field(default_factory=dict)


class Subscription:
    """One stream's inbox: the topics it listens to and the events waiting for it."""

    __slots__ = ("_bus", "overflowed", "queue", "topics")

    def __init__(self, bus: Bus) -> None:
        self._bus = bus
        self.topics: set[str] = set()
        self.queue: asyncio.Queue[Event] = asyncio.Queue(QUEUE_LIMIT)
        self.overflowed = False

    def deliver(self, event: Event) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True

    async def add(self, *topics: str) -> None:
        new = [t for t in topics if t not in self.topics]
        self.topics.update(new)
        if new:
            await self._bus.listen(self, new)

    async def remove(self, *topics: str) -> None:
        gone = [t for t in topics if t in self.topics]
        self.topics.difference_update(gone)
        if gone:
            await self._bus.unlisten(self, gone)

    async def close(self) -> None:
        await self.remove(*self.topics)

    async def next(self) -> Event:
        return await self.queue.get()


class Bus(Protocol):
    async def publish(self, events: Sequence[Event]) -> None: ...

    async def listen(self, subscription: Subscription, topics: Sequence[str]) -> None: ...

    async def unlisten(self, subscription: Subscription, topics: Sequence[str]) -> None: ...

    async def close(self) -> None: ...


class Listeners:
    """Who listens to what in this process: the part every bus shares."""

    def __init__(self) -> None:
        self.by_topic: dict[str, set[Subscription]] = {}

    def add(self, subscription: Subscription, topics: Iterable[str]) -> list[str]:
        """Add the listener; the topics nobody in this process listened to before."""
        first: list[str] = []
        for topic in topics:
            found = self.by_topic.get(topic)
            if found is None:
                found = self.by_topic[topic] = set()
                first.append(topic)
            found.add(subscription)
        return first

    def remove(self, subscription: Subscription, topics: Iterable[str]) -> list[str]:
        """Remove the listener; the topics nobody in this process listens to any more."""
        last: list[str] = []
        for topic in topics:
            found = self.by_topic.get(topic)
            if found is None:
                continue
            found.discard(subscription)
            if not found:
                del self.by_topic[topic]
                last.append(topic)
        return last

    def deliver(self, event: Event) -> None:
        for subscription in self.by_topic.get(event.topic, ()):
            subscription.deliver(event)


class LocalBus:
    """Events stay in this process: one `tandem serve` process (the default)."""

    def __init__(self) -> None:
        self.listeners = Listeners()

    async def publish(self, events: Sequence[Event]) -> None:
        for event in events:
            self.listeners.deliver(event)

    async def listen(self, subscription: Subscription, topics: Sequence[str]) -> None:
        self.listeners.add(subscription, topics)

    async def unlisten(self, subscription: Subscription, topics: Sequence[str]) -> None:
        self.listeners.remove(subscription, topics)

    async def close(self) -> None:
        self.listeners.by_topic.clear()


_local_buses: dict[int, LocalBus] = {}


def bus_of(db: Database) -> Bus:
    """The database's bus: the one the server set (`db.events`), else one for this process."""
    found: Bus | None = getattr(db, "events", None)
    if found is not None:
        return found
    local = _local_buses.get(id(db))
    if local is None:
        local = _local_buses[id(db)] = LocalBus()
        db.events = local
    return local


def subscribe(db: Database) -> Subscription:
    return Subscription(bus_of(db))


def publish(db: Database, *events: Event) -> None:
    """Tell the streams, once the current write commits (at once outside a write)."""
    if not events:
        return
    bus = bus_of(db)
    if writing() is not None:
        _after_commit(lambda: _publish(bus, events))
    else:
        _spawn(_publish(bus, events))


async def publish_now(db: Database, *events: Event) -> None:
    """Tell the streams now, waiting for the bus (a job, outside any write); a failure is
    logged, never raised: the change it tells of is made."""
    if events:
        await _publish(bus_of(db), events)


def publish_in_write(*events: Event) -> None:
    """`publish` for code that holds the write's connection but not its Database."""
    db = writing()
    if db is None:
        raise RuntimeError("publish_in_write() outside a write transaction")
    publish(db, *events)


async def _publish(bus: Bus, events: Sequence[Event]) -> None:
    try:
        await bus.publish(events)
    except Exception:  # a stream missing an event must not fail the write that caused it
        log.warning("could not publish %d events", len(events), exc_info=True)


_tasks: set[asyncio.Task[None]] = set()


def _spawn(work: Awaitable[None]) -> None:
    task = asyncio.ensure_future(work)
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
