"""Fixed-window rate limits (Mastodon's rack-attack numbers), counted in memory or in Redis."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Protocol

from tandem.config import Settings, Throttle


class Counter(Protocol):
    async def incr(self, key: str, ttl: int) -> int: ...


class MemoryCounter:
    """One process's counters; expired windows are swept as new ones arrive."""

    def __init__(self) -> None:
        self._counts: dict[str, tuple[float, int]] = {}
        self._lock = asyncio.Lock()
        self._next_sweep = 0.0

    async def incr(self, key: str, ttl: int) -> int:
        now = time.time()
        async with self._lock:
            if now >= self._next_sweep:
                self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
                self._next_sweep = now + 60
            expires, count = self._counts.get(key, (now + ttl, 0))
            self._counts[key] = (expires, count + 1)
            return count + 1


@dataclass(frozen=True)
class Hit:
    name: str
    limit: int
    count: int
    reset_at: float  # Unix time the window ends

    @property
    def remaining(self) -> int:
        return max(self.limit - self.count, 0)

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit


class RateLimiter:
    def __init__(self, settings: Settings, counter: Counter) -> None:
        self.enabled = settings.rate_limits_enabled
        self.throttles: dict[str, Throttle] = settings.throttles
        self.counter = counter

    async def hit(self, name: str, key: str | int) -> Hit | None:
        """Count one request against a throttle; None when limits are off."""
        return await self.hit_custom(name, key, self.throttles[name])

    async def hit_custom(self, name: str, key: str | int, throttle: Throttle) -> Hit | None:
        """Count against a throttle defined by the caller (Misskey's per-endpoint limits)."""
        if not self.enabled:
            return None
        now = time.time()
        window = int(now // throttle.period)
        count = await self.counter.incr(f"rl:{name}:{key}:{window}", throttle.period + 1)
        return Hit(name, throttle.limit, count, (window + 1) * throttle.period)


def tightest(hits: list[Hit | None]) -> Hit | None:
    """The throttle closest to its limit: the one whose headers a client should see."""
    real = [h for h in hits if h is not None]
    return min(real, key=lambda h: h.limit - h.count) if real else None
