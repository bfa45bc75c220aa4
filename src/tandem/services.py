"""The long-lived things a running server holds: settings, database, files, limiter, cache."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from tandem.config import Settings
from tandem.core.ratelimits import MemoryCounter, RateLimiter
from tandem.store.db import Database
from tandem.store.files import MediaFiles
from tandem.store.keys import vapid_public_key
from tandem.store.redis_counter import RedisCounter


@dataclass
class Services:
    settings: Settings
    db: Database
    files: MediaFiles
    limiter: RateLimiter
    vapid_key: str
    redis: Redis | None = None

    @classmethod
    def build(cls, settings: Settings) -> Services:
        redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
        counter = RedisCounter(redis) if redis is not None else MemoryCounter()
        return cls(
            settings=settings,
            db=Database(
                settings.resolved_database_url,
                count_statements=settings.report_statement_count,
            ),
            files=MediaFiles(settings.media_dir),
            limiter=RateLimiter(settings, counter),
            vapid_key=vapid_public_key(settings.data_dir),
            redis=redis,
        )

    async def close(self) -> None:
        await self.db.dispose()
        if self.redis is not None:
            await self.redis.aclose()
