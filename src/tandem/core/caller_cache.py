"""Per-worker caches of the hot reads: the caller behind a token, accounts by id and by
name, the number of follow requests waiting for an account, an account's pinned status ids,
its badge counts, the relationship flags between two accounts, and a profile's pinned posts
as one viewer sees them.

An entry is used only while the generations of the keys it depends on (store/generations.py)
are those read before its rows were: every write to the rows behind it bumps one of them
after its commit, in this process, in the other workers of the host, or (with Redis) on other
hosts. Only a database that bumps (a `TrackedDatabase`) gets caches. Entries are bounded
(least recently used go first), and a hit hands out copies: callers may change the Account
and User they get (a profile update) without touching what is cached.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar, cast
from weakref import WeakKeyDictionary

from tandem.core.models import AccessToken, Account, Application, Relationship, User
from tandem.store import accounts as account_store
from tandem.store import oauth as oauth_store
from tandem.store import relationship_flags
from tandem.store import relationships as pairs
from tandem.store import statuses as status_store
from tandem.store.db import Database
from tandem.store.generations import (
    ANY_WRITE,
    DOMAIN_POLICIES,
    EVERYTHING,
    NOTIFICATIONS,
    RELATIONS,
    SOME_NOTIFICATIONS,
    FileGenerations,
    Generations,
    Recording,
    TrackedDatabase,
    account_key,
    holds_until,
    key,
    recording,
    start_recording,
    stop_recording,
    token_key,
)

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T", Account, User, Account | None, User | None)

ENTRIES = 4096  # per cache: a few MB at most
# A replayed answer is used for at most this long: what changes with time alone (a timed mute
# ending, an online status) lags by no more than this (data changes end it at once).
REPLAY_SECONDS = 1.0
PENDING_CAP = 40  # waiting follow requests are counted up to this (as Mastodon shows them)

Caller = tuple[AccessToken, Application | None, Account | None, User | None]


@dataclass(slots=True)
class _Entry(Generic[V]):
    keys: tuple[int, ...]
    seen: tuple[int, ...]  # the keys' generations, read before the value was
    value: V


class _Lru(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[K, _Entry[V]] = OrderedDict()

    def get(self, key: K) -> _Entry[V] | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key: K, entry: _Entry[V]) -> None:
        self.entries[key] = entry
        self.entries.move_to_end(key)
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)

    def drop(self, key: K) -> None:
        self.entries.pop(key, None)


class _Caches:
    def __init__(self, generations: Generations) -> None:
        self.generations = generations
        # The host's file is read without awaiting (most of a hit's cost otherwise).
        self.now = generations.now if isinstance(generations, FileGenerations) else None
        self.callers: _Lru[str, Caller] = _Lru(ENTRIES)
        self.accounts: _Lru[int, Account] = _Lru(ENTRIES)
        self.waiting: _Lru[int, int] = _Lru(ENTRIES)
        self.pinned: _Lru[int, tuple[int, ...]] = _Lru(ENTRIES)
        self.names: _Lru[tuple[str, str | None], Account] = _Lru(ENTRIES)
        self.badges: _Lru[int, tuple[int, int]] = _Lru(ENTRIES)
        self.chat_unread: _Lru[int, bool] = _Lru(ENTRIES)
        self.announcements: _Lru[int, tuple[Any, float]] = _Lru(ENTRIES)  # (value, until)
        self.relations: _Lru[tuple[int, int], Relationship] = _Lru(ENTRIES)
        self.shown: _Lru[tuple[int, int | None], object] = _Lru(ENTRIES)
        self.replays: _Lru[Hashable, tuple[float, Any]] = _Lru(ENTRIES)  # (until, answer)
        self.domains: _Lru[tuple[str, bool], Any] = _Lru(ENTRIES)  # a host's policy


_by_db: WeakKeyDictionary[Database, _Caches] = WeakKeyDictionary()


def _caches(db: Database) -> _Caches | None:
    if not isinstance(db, TrackedDatabase):
        return None
    found = _by_db.get(db)
    if found is None:
        found = _by_db[db] = _Caches(db.generations)
    return found


async def _read(caches: _Caches, keys: tuple[int, ...]) -> tuple[int, ...]:
    if caches.now is not None:
        return caches.now(keys)
    return await caches.generations.read(keys)


async def _valid(caches: _Caches, entry: _Entry[V]) -> bool:
    if caches.now is not None:
        valid = caches.now(entry.keys) == entry.seen
    else:
        valid = await caches.generations.read(entry.keys) == entry.seen
    if valid:
        found = recording()
        if found is not None:  # the answer being made uses this entry
            found.note(entry.keys, entry.seen)
    return valid


async def _cached(
    caches: _Caches,
    lru: _Lru[K, V],
    key: K,
    keys: tuple[int, ...],
    load: Callable[[], Awaitable[V | None]],
) -> V | None:
    """The cached value for `key`, or `load()`'s (cached when it is not None)."""
    entry = lru.get(key)
    if entry is not None and await _valid(caches, entry):
        return entry.value
    seen = await _read(caches, keys)
    value = await load()
    if value is not None:
        lru.put(key, _Entry(keys, seen, value))
    else:
        lru.drop(key)
    return value


async def _through(
    db: Database,
    lru_of: Callable[[_Caches], _Lru[K, V]],
    key: K,
    keys: tuple[int, ...],
    load: Callable[[], Awaitable[V | None]],
) -> V | None:
    """`_cached` on the database's caches; straight to `load()` on an untracked database."""
    caches = _caches(db)
    if caches is None:
        return await load()
    return await _cached(caches, lru_of(caches), key, keys, load)


def _caller_keys(token: AccessToken) -> tuple[int, ...]:
    if token.account_id is None:
        return (EVERYTHING, token_key(token.id))
    return (EVERYTHING, token_key(token.id), account_key(token.account_id))


def _clone(value: T) -> T:
    """A shallow copy (what `copy.copy` makes, at a third of its cost, on every hit)."""
    if value is None:
        return value
    twin = object.__new__(type(value))
    twin.__dict__.update(value.__dict__)
    return twin


def _copy(found: Caller) -> Caller:
    token, app, account, user = found
    return token, app, _clone(account), _clone(user)


async def _read_caller(db: Database, digest: str) -> Caller | None:
    async with db.read() as conn:
        return await oauth_store.caller(conn, digest)


async def caller(db: Database, digest: str) -> Caller | None:
    """A token and the app, account and user behind it (None: no such token)."""
    caches = _caches(db)
    if caches is None:
        return await _read_caller(db, digest)
    entry = caches.callers.get(digest)
    if entry is not None and await _valid(caches, entry):
        return _copy(entry.value)
    # Which keys the entry depends on shows only once the token is read: read their
    # generations, then the rows again, so what is cached is no older than what was read.
    first = await _read_caller(db, digest)
    if first is None:
        caches.callers.drop(digest)
        return None
    keys = _caller_keys(first[0])
    seen = await _read(caches, keys)
    found = await _read_caller(db, digest)
    if found is None or _caller_keys(found[0]) != keys:
        return found
    caches.callers.put(digest, _Entry(keys, seen, found))
    return _copy(found)


async def _read_functional(db: Database, account_id: int) -> Account | None:
    async with db.read() as conn:
        return await account_store.get_functional(conn, account_id)


async def functional_account(db: Database, account_id: int) -> Account | None:
    """An account others may see (exists; if local, confirmed and approved)."""
    found = await _through(
        db,
        lambda c: c.accounts,
        account_id,
        (EVERYTHING, account_key(account_id)),
        lambda: _read_functional(db, account_id),
    )
    return _clone(found)


async def _read_waiting(db: Database, account_id: int) -> int:
    async with db.read() as conn:
        return await pairs.count_pending_requests(conn, account_id, cap=PENDING_CAP)


async def waiting_requests(db: Database, account_id: int) -> int:
    """Follow requests waiting for the account (counted up to PENDING_CAP)."""
    found = await _through(
        db,
        lambda c: c.waiting,
        account_id,
        (EVERYTHING, account_key(account_id)),
        lambda: _read_waiting(db, account_id),
    )
    assert found is not None
    return found


async def _read_pinned(db: Database, account_id: int) -> tuple[int, ...]:
    async with db.read() as conn:
        return tuple(await status_store.pinned_ids(conn, account_id))


async def pinned_ids(db: Database, account_id: int) -> list[int]:
    """The ids of the account's pinned statuses, newest pin first. One deleted since may
    still be listed (its pin went with it, without a bump): callers load the statuses and
    skip those not found."""
    found = await _through(
        db,
        lambda c: c.pinned,
        account_id,
        (EVERYTHING, account_key(account_id)),
        lambda: _read_pinned(db, account_id),
    )
    return list(found or ())


async def _read_by_name(db: Database, username: str, domain: str | None) -> Account | None:
    async with db.read() as conn:
        return await account_store.functional_by_username(conn, username, domain)


async def functional_by_name(db: Database, username: str, domain: str | None) -> Account | None:
    """The functional account with that username (and domain; None: local)."""
    caches = _caches(db)
    if caches is None:
        return await _read_by_name(db, username, domain)
    name = (username, domain)
    entry = caches.names.get(name)
    if entry is not None and await _valid(caches, entry):
        return _clone(entry.value)
    # As for a caller: the account's key shows only once it is found; read its generation,
    # then the row again (a rename or deletion in between shows as a different answer).
    first = await _read_by_name(db, username, domain)
    if first is None:
        caches.names.drop(name)
        return None
    keys = (EVERYTHING, account_key(first.id))
    seen = await _read(caches, keys)
    found = await _read_by_name(db, username, domain)
    if found is not None and found.id == first.id:
        caches.names.put(name, _Entry(keys, seen, found))
    return _clone(found)


async def _read_badges(db: Database, account_id: int) -> tuple[int, int]:
    async with db.read() as conn:
        return await pairs.badge_counts(conn, account_id)


async def badge_counts(db: Database, account_id: int) -> tuple[int, int]:
    """(unread notifications, waiting follow requests) of the account."""
    keys = (EVERYTHING, account_key(account_id), key(NOTIFICATIONS, account_id))
    found = await _through(
        db,
        lambda c: c.badges,
        account_id,
        (*keys, SOME_NOTIFICATIONS),
        lambda: _read_badges(db, account_id),
    )
    assert found is not None
    return found


async def chat_unread(db: Database, account_id: int, load: Callable[[], Awaitable[bool]]) -> bool:
    """Whether the account has unread chat messages (`load` reads it: core/chat_reads.py),
    kept like the badges: every change of a chat unread marker bumps the account's
    notifications (store/chat_reads.py)."""
    keys = (EVERYTHING, account_key(account_id), key(NOTIFICATIONS, account_id))
    found = await _through(
        db, lambda c: c.chat_unread, account_id, (*keys, SOME_NOTIFICATIONS), load
    )
    return bool(found)


async def domain_policy(
    db: Database, host: str, allowlist: bool, load: Callable[[], Awaitable[V]]
) -> V:
    """A remote host's policy (`load` reads it: core/domain_policies.py), asked for by every
    delivery and every inbox request, kept until a domain block or allowance is written."""
    found = await _through(
        db, lambda c: c.domains, (host, allowlist), (EVERYTHING, DOMAIN_POLICIES), load
    )
    assert found is not None
    return cast(V, found)


async def unread_announcements(
    db: Database,
    account_id: int,
    slot: int,
    load: Callable[[], Awaitable[tuple[list[V], datetime | None]]],
) -> list[V]:
    """The account's unread announcements (`load` reads them and when the first of them
    ends: core/announcements.py), kept until an announcement is written (`slot`), the
    account reads one (its notifications' key), or that end comes."""
    keys = (EVERYTHING, key(NOTIFICATIONS, account_id), slot)

    async def loaded() -> tuple[Any, float]:
        items, ends = await load()
        return items, ends.timestamp() if ends is not None else math.inf

    caches = _caches(db)
    if caches is not None:
        entry = caches.announcements.get(account_id)
        if entry is not None and entry.value[1] <= time.time():
            caches.announcements.drop(account_id)
    found = await _through(db, lambda c: c.announcements, account_id, keys, loaded)
    assert found is not None
    if found[1] != math.inf:
        holds_until(found[1])  # a replayed answer ends with it too
    return cast(list[V], found[0])


async def _read_relation(
    db: Database, viewer_id: int, target_id: int, now: datetime
) -> Relationship:
    async with db.read() as conn:
        found = await relationship_flags.relationships_to(conn, viewer_id, [target_id], now)
    return found.get(target_id) or Relationship(target_id=target_id)


async def relationship(db: Database, viewer_id: int, target_id: int, now: datetime) -> Relationship:
    """Every flag of the viewer's relationship to the target (a Relationship is frozen: hits
    share it). A timed mute ends without a write: an entry showing one that is over by now is
    read again."""
    caches = _caches(db)
    if caches is None:
        return await _read_relation(db, viewer_id, target_id, now)
    pair = (viewer_id, target_id)
    entry = caches.relations.get(pair)
    ends = entry.value.muting_expires_at if entry is not None else None
    if ends is not None and ends <= now:
        caches.relations.drop(pair)
    keys = (EVERYTHING, key(RELATIONS, viewer_id), key(RELATIONS, target_id))
    found = await _cached(
        caches,
        caches.relations,
        pair,
        keys,
        lambda: _read_relation(db, viewer_id, target_id, now),
    )
    assert found is not None
    return found


async def pinned_shown(
    db: Database, account_id: int, viewer_id: int | None, load: Callable[[], Awaitable[V]]
) -> V:
    """The account's pinned posts as the viewer sees them (what `load` makes of them).

    They carry what no write names one account at a time (their counts, reactions, polls,
    which of them the viewer reblogged or favourited, their authors' and mentioned accounts'
    rows), so the entry lasts only until the next committed write anywhere (ANY_WRITE): a
    read-mostly profile is served without a statement, and any write costs one reload.
    Callers must not change what they get (hits share it)."""
    found = await _through(
        db, lambda c: c.shown, (account_id, viewer_id), (EVERYTHING, ANY_WRITE), load
    )
    assert found is not None
    return cast(V, found)


# Replays: a whole answer kept for the same request (same route, parameters and token) while
# nothing it was made of changed. The dialects record what a request's handling used (every
# cache hit notes its entry's generations); an answer that read or wrote the database past
# the caches, or answered anything but success, is not kept.


@contextmanager
def recorded() -> Iterator[Recording]:
    """Record what the answer made inside uses (see `keep_replay`)."""
    found, token = start_recording()
    try:
        yield found
    finally:
        stop_recording(token)


def keep_replay(db: Database, request: Hashable, made_of: Recording, value: object) -> None:
    """Keep an answer for `replayed`, if everything it used came from the caches."""
    caches = _caches(db)
    # (Every cache entry depends on EVERYTHING: an answer that used none is not kept.)
    if caches is None or made_of.spoiled or EVERYTHING not in made_of.seen:
        return
    keys = tuple(made_of.seen)
    until = min(made_of.until, time.time() + REPLAY_SECONDS)
    caches.replays.put(request, _Entry(keys, tuple(made_of.seen.values()), (until, value)))


def answer_holds_until(moment: datetime) -> None:
    """What the answer being made says stops holding at this moment (a token's expiry)."""
    holds_until(moment.timestamp())


async def replayed(db: Database, request: Hashable) -> Any:
    """The answer kept for this request, if it still holds (None: make it again)."""
    caches = _caches(db)
    if caches is None:
        return None
    entry = caches.replays.get(request)
    if entry is None:
        return None
    until, answer = entry.value
    if until <= time.time() or not await _valid(caches, entry):
        caches.replays.drop(request)
        return None
    return answer
