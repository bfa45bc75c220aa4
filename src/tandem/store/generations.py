"""Generation numbers: how a worker's caches learn, at once, that a cached row changed.

A write that changes what a cache holds (an account's row or counters, its user row, its
waiting follow requests, a token) names the change with `changed(key)` inside `db.write()`;
`TrackedDatabase.write` bumps the keys' generations after the commit. A cache entry keeps the
generations it read *before* it read the database, and is used only while they are the same:
a bump lands after the commit and before the write's response, so a request that starts
after a write was answered never gets what was cached before it.

Where the numbers live decides who sees a bump:
- `FileGenerations`: an mmap'd file of `SLOTS` int64 in the data folder, shared by every
  process on the host (`--workers N`, the admin CLI); a key hashes to a slot, so unrelated
  keys sharing a slot only cost a cache miss.
- `RedisGenerations` (when `redis_url` is set): the same slots as Redis keys, read with one
  MGET per check, so servers on several hosts sharing one database see each other's bumps
  before their next read (a pub/sub channel would deliver them only eventually).
"""

from __future__ import annotations

import fcntl
import math
import mmap
import os
import struct
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from tandem.store.db import Conn, Database, _Reading

if TYPE_CHECKING:
    from redis.asyncio import Redis

SLOTS = 1 << 16  # 512 KiB of int64
FILE_NAME = "generations.bin"
_INT = struct.Struct("=q")  # native order, as the memoryview reads it
_GOLDEN = 0x9E3779B97F4A7C15  # spreads consecutive ids over the slots

# Key kinds: a key is the slot of (kind, id). EVERYTHING is one slot that every entry also
# checks, bumped by changes whose effects cannot be named one account at a time (a
# suspension changes the follow request counts of everyone the account asked to follow).
# NOTIFICATIONS: an account's notifications (its unread count); RELATIONS: the follows,
# requests, blocks, mutes, endorsements and notes from or to an account.
ACCOUNT, TOKEN, NOTIFICATIONS, RELATIONS = 1, 2, 3, 4
EVERYTHING = 0


def key(kind: int, row_id: int) -> int:
    return (((row_id << 3) | kind) * _GOLDEN >> 24) & (SLOTS - 1)


# Notifications that vanish with their status (a cascade) belong to accounts the deleting
# write does not know: it bumps this slot, which every unread count also checks.
SOME_NOTIFICATIONS = key(NOTIFICATIONS, 0)
# Every committed write bumps this slot: what depends on rows no write names one by one (a
# pinned post's counts, reactions, polls, the viewer's reblogs) is cached only until then.
ANY_WRITE = key(ACCOUNT, 0)


# The domain blocks and the allow-list (core/domain_policies.py caches each host's policy).
DOMAIN_POLICIES = key(TOKEN, 0)


def domain_policies_changed() -> None:
    changed(DOMAIN_POLICIES)


def account_key(account_id: int) -> int:
    return key(ACCOUNT, account_id)


def token_key(token_id: int) -> int:
    return key(TOKEN, token_id)


# The keys the current write transaction changed (None outside `TrackedDatabase.write`).
_pending: ContextVar[set[int] | None] = ContextVar("generations_pending", default=None)


def changed(*keys: int) -> None:
    """Record, inside a write, that cached data behind these keys changes at its commit."""
    pending = _pending.get()
    if pending is not None:
        pending.update(keys)


def accounts_changed(*account_ids: int) -> None:
    changed(*(account_key(a) for a in account_ids))


def tokens_changed(token_ids: Iterable[int]) -> None:
    changed(*(token_key(t) for t in token_ids))


def everything_changed() -> None:
    changed(EVERYTHING)


def only_the_queue() -> None:
    """Inside a write that changes nothing but the job queue's own rows (a worker's claim,
    finish, checkpoint, polled every second even when idle): no cache holds those, so the
    write does not bump ANY_WRITE. Never in a transaction that changes anything else."""
    pending = _pending.get()
    if pending is not None:
        pending.discard(ANY_WRITE)


def notifications_changed(*account_ids: int) -> None:
    """The notifications of these accounts (their unread counts) change."""
    changed(*(key(NOTIFICATIONS, a) for a in account_ids))


def some_notifications_changed() -> None:
    """Notifications of accounts the write cannot name change (a deleted status's)."""
    changed(SOME_NOTIFICATIONS)


def relations_changed(*account_ids: int) -> None:
    """A relationship between these accounts (follow, request, block, mute, endorsement,
    note) changes: name both ends."""
    changed(*(key(RELATIONS, a) for a in account_ids))


@dataclass
class Recording:
    """What one request's answer was made of, for replaying it (core/caller_cache.py): the
    generations of the cached entries it used, whether it read or wrote the database itself
    (then it cannot be replayed), and until when it holds (a token's expiry, say)."""

    seen: dict[int, int] = field(default_factory=dict)
    spoiled: bool = False
    until: float = math.inf  # a Unix time

    def note(self, keys: Sequence[int], seen: Sequence[int]) -> None:
        for k, generation in zip(keys, seen, strict=True):
            if self.seen.setdefault(k, generation) != generation:
                self.spoiled = True  # a bump landed between two of the request's reads


_recording: ContextVar[Recording | None] = ContextVar("generations_recording", default=None)


def recording() -> Recording | None:
    return _recording.get()


def start_recording() -> tuple[Recording, object]:
    found = Recording()
    return found, _recording.set(found)


def stop_recording(token: object) -> None:
    _recording.reset(token)  # type: ignore[arg-type]


def holds_until(timestamp: float) -> None:
    """What the current request answers stops holding at this Unix time."""
    found = _recording.get()
    if found is not None and timestamp < found.until:
        found.until = timestamp


class Generations(Protocol):
    async def read(self, keys: Sequence[int]) -> tuple[int, ...]: ...

    async def bump(self, keys: Iterable[int]) -> None: ...

    async def close(self) -> None: ...


class FileGenerations:
    """The slots in a file every process of this host maps; bumps take the file's lock, so
    two processes bumping one slot both count (reads are single aligned 8-byte loads)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        size = SLOTS * _INT.size
        if os.fstat(self._fd).st_size < size:
            os.ftruncate(self._fd, size)  # zeros; a racing twin truncates to the same size
        self._map = mmap.mmap(self._fd, size)
        self._slots = memoryview(self._map).cast("q")  # native int64, as pack_into writes

    def now(self, keys: Sequence[int]) -> tuple[int, ...]:
        """Without awaiting: the hot path checks its entries with this."""
        return tuple(map(self._slots.__getitem__, keys))

    async def read(self, keys: Sequence[int]) -> tuple[int, ...]:
        return self.now(keys)

    async def bump(self, keys: Iterable[int]) -> None:
        fcntl.lockf(self._fd, fcntl.LOCK_EX)
        try:
            data = self._map
            for k in set(keys):
                _INT.pack_into(data, k * 8, _INT.unpack_from(data, k * 8)[0] + 1)
        finally:
            fcntl.lockf(self._fd, fcntl.LOCK_UN)

    async def close(self) -> None:
        self._slots.release()
        self._map.close()
        os.close(self._fd)


class RedisGenerations:
    """The slots as Redis counters: every host reads the same numbers."""

    PREFIX = "tandem:generation:"

    def __init__(self, redis: Redis, *, owned: bool = False) -> None:
        self._redis = redis
        self._owned = owned  # a client opened for this alone (the admin CLI) closes with it

    async def read(self, keys: Sequence[int]) -> tuple[int, ...]:
        found: list[Any] = await self._redis.mget([f"{self.PREFIX}{k}" for k in keys])
        return tuple(int(v) if v is not None else 0 for v in found)

    async def bump(self, keys: Iterable[int]) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            for k in set(keys):
                pipe.incr(f"{self.PREFIX}{k}")
            await pipe.execute()

    async def close(self) -> None:
        if self._owned:
            await self._redis.aclose()


def open_generations(data_dir: Path, redis: Redis | None, redis_url: str = "") -> Generations:
    """Redis's when the server has a client (or a URL to open one for this alone), else the
    host's file."""
    if redis is not None:
        return RedisGenerations(redis)
    if redis_url:
        from redis.asyncio import Redis

        return RedisGenerations(Redis.from_url(redis_url), owned=True)
    return FileGenerations(data_dir / FILE_NAME)


class TrackedDatabase(Database):
    """A Database whose writes bump the generations of what they changed, after the commit.

    Only a TrackedDatabase has `generations`, and only then are reads cached (see
    core/caller_cache.py): a process writing without it (a seeder) must not share a database
    with running servers."""

    def __init__(self, url: str, generations: Generations, **options: Any) -> None:
        super().__init__(url, **options)
        self.generations = generations

    def read(self) -> _Reading:
        found = _recording.get()
        if found is not None:
            found.spoiled = True  # read past the caches: the answer may not be replayed
        return super().read()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Conn]:
        found = _recording.get()
        if found is not None:
            found.spoiled = True
        keys: set[int] = {ANY_WRITE}
        token = _pending.set(keys)
        try:
            async with super().write() as conn:
                yield conn
        finally:
            _pending.reset(token)
        if keys:  # committed: a rolled back write raised above and changed nothing
            await self.generations.bump(keys)

    async def dispose(self) -> None:
        await super().dispose()
        await self.generations.close()
