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
