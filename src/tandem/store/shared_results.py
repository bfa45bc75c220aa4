"""A value computed at most once per period for every process: in Redis when configured,
else in the `shared_results` table.

Whoever finds the value stale claims the recomputation (Redis `SET NX`, or a conditional
UPDATE of `computed_at`); the others answer with the stale value meanwhile, and compute it
themselves only when there has never been one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy import select, update

from tandem.core import clock
from tandem.store.db import Database
from tandem.store.schema import shared_results
from tandem.store.writes import insert_ignoring

Compute = Callable[[], Awaitable[Any]]


async def shared(db: Database, key: str, period: timedelta, compute: Compute) -> Any:
    if db.redis is not None:
        return await _in_redis(db, key, period, compute)
    return await _in_table(db, key, period, compute)


async def _in_redis(db: Database, key: str, period: timedelta, compute: Compute) -> Any:
    redis = db.redis
    assert redis is not None
    # Named for the database too: servers of other databases may share the Redis.
    space = hashlib.sha256(db.url.encode()).hexdigest()[:12]
    value_key = f"tandem:shared:{space}:{key}"
    fresh_key = f"{value_key}:fresh"
    seconds = max(1, int(period.total_seconds()))
    if await redis.exists(fresh_key):
        kept = await redis.get(value_key)
        if kept is not None:
            return orjson.loads(kept)
    if not await redis.set(fresh_key, b"1", nx=True, ex=seconds):
        kept = await redis.get(value_key)  # another process is computing it
        if kept is not None:
            return orjson.loads(kept)
    value = await compute()
    await redis.set(value_key, orjson.dumps(value))
    return value


async def _in_table(db: Database, key: str, period: timedelta, compute: Compute) -> Any:
    now = clock.now()
    async with db.read() as conn:
        row = (
            await conn.execute(
                select(shared_results.c.value, shared_results.c.computed_at).where(
                    shared_results.c.key == key
                )
            )
        ).first()
    if row is not None and row.computed_at > now - period and row.value is not None:
        return row.value["v"]
    async with db.write() as conn:
        if row is None:
            claim = insert_ignoring(
                conn, shared_results, {"key": key, "value": None, "computed_at": now}, ["key"]
            ).returning(shared_results.c.key)
        else:
            claim = (
                update(shared_results)
                .where(
                    shared_results.c.key == key,
                    shared_results.c.computed_at == row.computed_at,
                )
                .values(computed_at=now)
                .returning(shared_results.c.key)
            )
        claimed = (await conn.execute(claim)).first() is not None
    if not claimed and row is not None and row.value is not None:
        return row.value["v"]
    value = await compute()
    async with db.write() as conn:
        await conn.execute(
            update(shared_results).where(shared_results.c.key == key).values(value={"v": value})
        )
    return value
