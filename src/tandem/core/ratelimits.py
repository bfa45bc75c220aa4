"""Fixed-window rate limits (Mastodon's rack-attack numbers), counted by a `Counter`: in memory
(one process), in a SQLite file shared by `--workers N` (store/sqlite_counter.py), or in Redis."""

from __future__ import annotations

import asyncio
import ipaddress
import math
import time
from dataclasses import dataclass
from typing import Protocol

from tandem.config import Settings, Throttle


def ip_key(ip: str) -> str:
    """IPv6 clients are counted per /64, as one host usually owns the whole prefix."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return ip


class Counter(Protocol):
    async def incr(self, key: str, ttl: int) -> int: ...

    async def decr(self, key: str) -> None: ...


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

    async def decr(self, key: str) -> None:
        async with self._lock:
            found = self._counts.get(key)
            if found is not None and found[1] > 0:
                self._counts[key] = (found[0], found[1] - 1)


@dataclass(frozen=True)
class Hit:
    name: str
    limit: int
    count: int
    reset_at: float  # Unix time the window ends
    key: str = ""  # the counter this hit counted on

    @property
    def remaining(self) -> int:
        return max(self.limit - self.count, 0)

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit


def retry_after(reset_at: float) -> int:
    """Whole seconds until a window ends (at least 1): what Retry-After says."""
    return max(1, math.ceil(reset_at - time.time()))


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
        counter_key = f"rl:{name}:{key}:{window}"
        count = await self.counter.incr(counter_key, throttle.period + 1)
        return Hit(name, throttle.limit, count, (window + 1) * throttle.period, counter_key)

    async def refund(self, hit: Hit | None) -> None:
        """Take back a counted request (a sign-in that turned out not to be a failure)."""
        if hit is not None and hit.key:
            await self.counter.decr(hit.key)


def tightest(hits: list[Hit | None]) -> Hit | None:
    """The throttle closest to its limit: the one whose headers a client should see."""
    real = [h for h in hits if h is not None]
    return min(real, key=lambda h: h.limit - h.count) if real else None
