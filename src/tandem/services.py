"""The long-lived things a running server holds: settings, database, files, limiter, cache."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tandem.config import Settings
from tandem.core.ratelimits import Counter, MemoryCounter, RateLimiter
from tandem.jobs.request_gauge import RequestGauge
from tandem.store.db import Database
from tandem.store.files import MediaFiles
from tandem.store.generations import TrackedDatabase, open_generations
from tandem.store.keys import vapid_public_key
from tandem.store.sqlite_counter import SQLiteCounter, counter_path

if TYPE_CHECKING:
    from redis.asyncio import Redis

# The PostgreSQL pool size is the server's budget of connections: `--workers N` gives each
# worker its share, so more workers do not multiply the connections tandem holds.
POOL_SIZE: int = (Database.__init__.__kwdefaults__ or {}).get("pool_size", 10)


def pool_share(settings: Settings) -> int:
    return max(2, POOL_SIZE // settings.workers)


def rate_counter(settings: Settings, redis: Redis | None) -> Counter:
    """Redis when configured (any number of hosts); else one process counts in its memory
    (the fastest), and the processes of `--workers N` share a SQLite file."""
    if redis is not None:
        from tandem.store.redis_counter import RedisCounter

        return RedisCounter(redis)
    if settings.workers > 1:
        return SQLiteCounter(counter_path(settings.data_dir))
    return MemoryCounter()


@dataclass
class Services:
    settings: Settings
    db: Database
    files: MediaFiles
    limiter: RateLimiter
    vapid_key: str
    redis: Redis | None = None
    requests: RequestGauge = field(default_factory=RequestGauge)  # being answered now

    @classmethod
    def build(cls, settings: Settings) -> Services:
        redis: Redis | None = None
        if settings.redis_url:  # imported only when used: the client is a few MB per process
            from redis.asyncio import Redis

            redis = Redis.from_url(settings.redis_url)
        db = TrackedDatabase(
            settings.resolved_database_url,
            open_generations(settings.data_dir, redis),
            pool_size=pool_share(settings),
            count_statements=settings.report_statement_count,
        )
        db.redis = redis  # home feeds in Redis sorted sets when configured (core/home_feeds.py)
        if redis is not None:  # the realtime streams of every process share events
            from tandem.store.redis_events import RedisBus

            db.events = RedisBus(redis)
        return cls(
            settings=settings,
            db=db,
            files=MediaFiles(settings.media_dir),
            limiter=RateLimiter(settings, rate_counter(settings, redis)),
            vapid_key=vapid_public_key(settings.data_dir),
            redis=redis,
        )

    async def close(self) -> None:
        if self.db.events is not None:
            await self.db.events.close()
        await self.db.dispose()
        counter = self.limiter.counter
        if isinstance(counter, SQLiteCounter):
            counter.close()
        if self.redis is not None:
            await self.redis.aclose()
