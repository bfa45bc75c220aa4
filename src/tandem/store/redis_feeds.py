"""Home feeds as Redis sorted sets (when `redis_url` is set): ids only, the rules stay in SQL.

Keys, per account (as Mastodon's FeedManager):
- `feed:<id>`: the feed; member and score are the status id (a score is a double, so ids
  that differ in their lowest bits may share one: members of one score sort as their
  decimal strings, which for ids of one length is their numeric order, and windows are
  read with inclusive bounds and cut exactly here);
- `feed:<id>:folds`: a hash, `o<original>` → the feed's newest reblog of it and
  `r<reblog>` → its original, for folding reblogs as the table store does (the rule is
  above `_ADD`); `feed:<id>:held:<original>`: the reblogs folded behind the shown one, one
  of which takes its place when it goes (`_REMOVE`; Mastodon's `feed:…:reblogs:<id>`);
- `feed:<id>:floor`: present once the feed was built; the feed holds every status above
  this id (older ones were trimmed: read them from the database). "building" while a
  regeneration runs (writes land, reads go to the database);
- `feed:<id>:regen`: held (with an expiry) while a regeneration is queued or running.

Every add runs one script over a batch of feeds (for each: skip it when missing, fold
reblogs, add, trim to the cap with ZREMRANGEBYRANK, move the floor up); a fan-out sends one
call per `BATCH` readers, all pipelined in one round trip. A feed unread for `TTL` seconds
expires (reads refresh it), as Mastodon stops feeding inactive accounts, and is rebuilt from
the database on the next read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redis.asyncio import Redis

TTL = 14 * 24 * 3600  # a feed nobody read for two weeks goes (Mastodon: inactive users)
REGEN_GUARD = 300  # seconds one regeneration holds its guard at most
BATCH = 1000  # readers per pipelined round trip
BUILDING = "building"

# Reblog folding, the rule of the table store (store/home_feeds.py): a reblog is not added
# while its original, or the feed's newest reblog of it (`o<original>` in the folds hash), is
# among the feed's `falloff` newest (held back in `held:<original>` behind that reblog), and
# an original is not added while its newest reblog is among them.
_FOLDING = """
local function newer(a, b)
  return #a > #b or (#a == #b and a > b)
end
local function near(feed, member, falloff)
  if not member then return false end
  local rank = redis.call('ZREVRANK', feed, member)
  return rank ~= false and rank ~= nil and rank < falloff
end
"""

_ADD = (
    _FOLDING
    + """
local id, origin = ARGV[1], ARGV[2]
local cap, falloff, ttl = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local added = 0
for i = 1, #KEYS, 3 do
  local feed, folds, floorkey = KEYS[i], KEYS[i + 1], KEYS[i + 2]
  local floor = redis.call('GET', floorkey)
  local fresh = floor ~= false
  if fresh and falloff > 0 then
    if origin ~= '' then
      if near(feed, origin, falloff) then
        fresh = false
      else
        local shown = redis.call('HGET', folds, 'o' .. origin)
        if near(feed, shown, falloff) then
          fresh = false
          local held = feed .. ':held:' .. origin
          redis.call('SADD', held, id)
          redis.call('EXPIRE', held, ttl)
        end
      end
    elseif near(feed, redis.call('HGET', folds, 'o' .. id), falloff) then
      fresh = false
    end
  end
  if fresh then
    added = added + 1
    redis.call('ZADD', feed, id, id)
    if origin ~= '' then
      local shown = redis.call('HGET', folds, 'o' .. origin)
      if not shown or newer(id, shown) then
        redis.call('HSET', folds, 'o' .. origin, id, 'r' .. id, origin)
      else
        redis.call('HSET', folds, 'r' .. id, origin)
      end
      redis.call('EXPIRE', folds, ttl)
    end
    local n = redis.call('ZCARD', feed)
    if n > cap then
      local cut = redis.call('ZRANGE', feed, 0, n - cap - 1)
      redis.call('ZREMRANGEBYRANK', feed, 0, n - cap - 1)
      local last = cut[#cut]
      if floor ~= 'building' and (#last > #floor or (#last == #floor and last > floor)) then
        redis.call('SET', floorkey, last, 'KEEPTTL')
      end
      for _, gone in ipairs(cut) do
        local of = redis.call('HGET', folds, 'r' .. gone)
        if of then
          redis.call('HDEL', folds, 'r' .. gone)
          if redis.call('HGET', folds, 'o' .. of) == gone then
            redis.call('HDEL', folds, 'o' .. of)
            redis.call('DEL', feed .. ':held:' .. of)
          end
        end
      end
    end
  end
end
return added
"""
)

# A status leaving feeds: when it is the feed's newest reblog of its original and among the
# `falloff` newest, the oldest reblog held back behind it (newer than it) takes its place.
_REMOVE = (
    _FOLDING
    + """
local id, origin, falloff = ARGV[1], ARGV[2], tonumber(ARGV[3])
for i = 1, #KEYS, 2 do
  local feed, folds = KEYS[i], KEYS[i + 1]
  if redis.call('ZSCORE', feed, id) then
    if origin ~= '' and redis.call('HGET', folds, 'o' .. origin) == id then
      local held = feed .. ':held:' .. origin
      local back = nil
      if falloff > 0 and near(feed, id, falloff) then
        for _, m in ipairs(redis.call('SMEMBERS', held)) do
          if newer(m, id) and (back == nil or newer(back, m)) then back = m end
        end
      end
      if back then
        redis.call('ZADD', feed, back, back)
        redis.call('HSET', folds, 'o' .. origin, back, 'r' .. back, origin)
        for _, m in ipairs(redis.call('SMEMBERS', held)) do
          if newer(back, m) then redis.call('SREM', held, m) end
        end
      else
        redis.call('DEL', held)
        redis.call('HDEL', folds, 'o' .. origin)
      end
    end
    if origin ~= '' then redis.call('HDEL', folds, 'r' .. id) end
    redis.call('ZREM', feed, id)
  elseif origin ~= '' then
    redis.call('SREM', feed .. ':held:' .. origin, id)
  end
end
return 0
"""
)


def _feed(account_id: int) -> str:
    return f"feed:{account_id}"


def _reblogs(account_id: int) -> str:
    """The feed's folds: `o<original>` → its newest reblog in the feed, `r<reblog>` → its
    original (a hash, refreshed with the feed by reads)."""
    return f"feed:{account_id}:folds"


def _held(account_id: int, origin: int) -> str:
    return f"feed:{account_id}:held:{origin}"


def _floor(account_id: int) -> str:
    return f"feed:{account_id}:floor"


def _regen(account_id: int) -> str:
    return f"feed:{account_id}:regen"


@dataclass(frozen=True)
class Window:
    """What a read found: `floor` None when the feed is missing (or being rebuilt); `ids`
    newest first (oldest first when reading up from `min_id`); `more` when Redis may hold
    further ids past the last one."""

    floor: int | None
    ids: list[int]
    more: bool


class RedisFeedStore:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._add = redis.register_script(_ADD)
        self._remove = redis.register_script(_REMOVE)

    async def add(
        self,
        account_ids: Iterable[int],
        status_id: int,
        reblog_of_id: int | None,
        *,
        cap: int,
        falloff: int,
    ) -> None:
        """The status into these feeds (those that exist), pipelined per batch."""
        readers = list(dict.fromkeys(account_ids))
        args = [status_id, reblog_of_id if reblog_of_id is not None else "", cap, falloff, TTL]
        batches = [readers[lo : lo + BATCH] for lo in range(0, len(readers), BATCH)]
        async with self.redis.pipeline(transaction=False) as pipe:
            for batch in batches:  # one script call per batch of feeds, one round trip
                keys = [k for a in batch for k in (_feed(a), _reblogs(a), _floor(a))]
                await self._add(keys=keys, args=args, client=pipe)
            await pipe.execute()

    async def add_many(
        self,
        account_id: int,
        items: Sequence[tuple[int, int | None]],
        *,
        cap: int,
        falloff: int,
    ) -> None:
        """Statuses (oldest first) into one feed, in one round trip."""
        keys = [_feed(account_id), _reblogs(account_id), _floor(account_id)]
        async with self.redis.pipeline(transaction=False) as pipe:
            for status_id, origin in items:
                args = [status_id, origin if origin is not None else "", cap, falloff, TTL]
                await self._add(keys=keys, args=args, client=pipe)
            await pipe.execute()

    async def window(
        self,
        account_id: int,
        *,
        want: int,
        max_id: int | None = None,
        since_id: int | None = None,
        min_id: int | None = None,
    ) -> Window:
        """Up to `want` ids in the window (exactly: the score bounds are inclusive and cut
        here), with the floor; refreshes the feed's expiry."""
        fetch = want + 32  # ids sharing a score with a bound
        keys = (_feed(account_id), _reblogs(account_id), _floor(account_id))
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.get(keys[2])
            if min_id is not None:
                pipe.zrangebyscore(keys[0], min_id, "+inf", start=0, num=fetch)
            else:
                top = max_id if max_id is not None else "+inf"
                bottom = since_id if since_id is not None else "-inf"
                pipe.zrevrangebyscore(keys[0], top, bottom, start=0, num=fetch)
            for key in keys:
                pipe.expire(key, TTL)
            found: list[Any] = await pipe.execute()
        raw_floor, members = found[0], found[1]
        got = [int(m) for m in members]
        more = len(got) >= fetch
        if min_id is not None:
            ids = sorted(i for i in got if i > min_id)
        else:
            ids = sorted(
                (
                    i
                    for i in got
                    if (max_id is None or i < max_id) and (since_id is None or i > since_id)
                ),
                reverse=True,
            )
        floor = None
        if raw_floor is not None and raw_floor != BUILDING.encode():
            floor = int(raw_floor)
        return Window(floor, ids, more)

    async def members(self, account_id: int) -> list[int]:
        found: list[Any] = await self.redis.zrange(_feed(account_id), 0, -1)
        return [int(m) for m in found]

    async def remove(
        self, account_id: int, items: Sequence[tuple[int, int | None]], *, falloff: int
    ) -> None:
        """These statuses (id, reblogged id) out of one feed, oldest first, in one round trip;
        a reblog held back behind a shown one that goes takes its place."""
        keys = [_feed(account_id), _reblogs(account_id)]
        async with self.redis.pipeline(transaction=False) as pipe:
            for status_id, origin in sorted(items):
                args = [status_id, origin if origin is not None else "", falloff]
                await self._remove(keys=keys, args=args, client=pipe)
            await pipe.execute()

    async def remove_everywhere(
        self, account_ids: Iterable[int], item: tuple[int, int | None], *, falloff: int
    ) -> None:
        """One status (id, reblogged id) out of these feeds, pipelined per batch."""
        readers = list(dict.fromkeys(account_ids))
        args = [item[0], item[1] if item[1] is not None else "", falloff]
        async with self.redis.pipeline(transaction=False) as pipe:
            for lo in range(0, len(readers), BATCH):
                keys = [k for a in readers[lo : lo + BATCH] for k in (_feed(a), _reblogs(a))]
                await self._remove(keys=keys, args=args, client=pipe)
            await pipe.execute()

    async def folded(self, account_id: int) -> list[int]:
        """The reblogs the feed holds back."""
        origins = await self._origins(account_id)
        async with self.redis.pipeline(transaction=False) as pipe:
            for origin in origins:
                pipe.smembers(_held(account_id, origin))
            found: list[Any] = await pipe.execute()
        return [int(m) for members in found for m in members]

    async def unhold(self, account_id: int, items: Sequence[tuple[int, int | None]]) -> None:
        """Forget these held reblogs (id, reblogged id)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for status_id, origin in items:
                if origin is not None:
                    pipe.srem(_held(account_id, origin), status_id)
            await pipe.execute()

    async def _origins(self, account_id: int) -> list[int]:
        fields: list[Any] = await self.redis.hkeys(_reblogs(account_id))
        return [int(f[1:]) for f in fields if f.startswith(b"o")]

    async def claim_regeneration(self, account_id: int) -> bool:
        """True for the one caller that may queue the feed's regeneration now."""
        return bool(await self.redis.set(_regen(account_id), 1, nx=True, ex=REGEN_GUARD))

    async def start_building(self, account_id: int) -> None:
        """Writes land in the feed from now on; reads keep going to the database."""
        await self.redis.set(_floor(account_id), BUILDING, ex=TTL)

    async def built(
        self,
        account_id: int,
        items: Sequence[tuple[int, int | None]],
        floor: int,
        *,
        cap: int,
        falloff: int,
    ) -> None:
        """The rebuilt feed's statuses (oldest first, on top of what fan-outs added while it
        was read) and its floor: reads use it from now on."""
        await self.add_many(account_id, items, cap=cap, falloff=falloff)
        if await self.redis.zcard(_feed(account_id)) >= cap:  # trimmed meanwhile, maybe
            oldest: list[Any] = await self.redis.zrange(_feed(account_id), 0, 0)
            if oldest:
                floor = max(floor, int(oldest[0]) - 1)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(_floor(account_id), floor, ex=TTL)
            pipe.expire(_feed(account_id), TTL)
            pipe.expire(_reblogs(account_id), TTL)
            pipe.delete(_regen(account_id))
            await pipe.execute()

    async def release_regeneration(self, account_id: int) -> None:
        await self.redis.delete(_regen(account_id))

    async def forget(self, account_id: int) -> None:
        """Drop the feed (tests; an account that is gone)."""
        held = [_held(account_id, o) for o in await self._origins(account_id)]
        await self.redis.delete(
            _feed(account_id), _reblogs(account_id), _floor(account_id), _regen(account_id), *held
        )
