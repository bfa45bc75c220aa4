"""Rate-limit counters shared by every process through Redis."""

from __future__ import annotations

from redis.asyncio import Redis


class RedisCounter:
    def __init__(self, client: Redis) -> None:
        self.client = client

    async def incr(self, key: str, ttl: int) -> int:
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, ttl, nx=True)
            count, _ = await pipe.execute()
        return int(count)

    async def decr(self, key: str) -> None:
        # Never below zero, and never re-create a key whose window has already expired.
        await self.client.eval(_DECR, 1, key)


_DECR = """
local n = redis.call('GET', KEYS[1])
if n and tonumber(n) > 0 then redis.call('DECR', KEYS[1]) end
return 0
"""
