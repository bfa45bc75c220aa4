"""Home timelines at scale: the fan-out of one post to an account with 10k followers, and
the latency of a home page, on the networks bench/seed.py builds.

    .venv/bin/python bench/timeline_bench.py --scales 10000 --backends sqlite,postgresql
    .venv/bin/python bench/timeline_bench.py --scales 1000000 --posts 2000

For each backend and scale (the seeded database; seeded first when missing): the seeded
viewer follows 50 ordinary accounts; `--posts` statuses by them are written and fanned out
with the server's own fan-out (store.home_feeds.fan_out, what the posting request or its job
runs), so every follower's feed fills as in production; an ordinary account gets 10k more
followers, and its posts are fanned out and timed (one statement, inside
one write transaction each). Then one `tandem serve` process answers the viewer's
`/api/v1/timelines/home` and Misskey `notes/timeline` one request after another (after a
warm-up): p50/p99 and statements per request.

With `--redis` the same runs again with the feeds in Redis (`redis_url` set, in a Redis
database of the bench's own, `--redis-url`, emptied first): the viewer's feed is rebuilt
there from the database, the 10k followers' feeds exist (so each add runs in full), and the
fan-out is timed as the job runs it: the readers' query, then the pipelined adds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import seed
from bench.scale_bench import Case, measure, start_server, tokens
from bench.seed_shape import Shape, account_id

from tandem.core import clock
from tandem.core import home_feeds as feed_rules
from tandem.core.ids import new_id
from tandem.core.models import Status
from tandem.store import home_feeds
from tandem.store import statuses as status_store
from tandem.store.db import Database
from tandem.store.schema import accounts, follows, home_feed_entries
from tandem.store.writes import insert_ignoring

FOLLOWED = 50
CELEBRITY_FOLLOWERS = 10_000
FOLLOW_BATCH = 5_000


async def _viewer_id(db: Database) -> int:
    async with db.read() as conn:
        found = await conn.scalar(select(accounts.c.id).where(accounts.c.username == seed.VIEWER))
    assert found is not None, "the seeded viewer is missing"
    return int(found)


async def _follow_all(db: Database, pairs: list[tuple[int, int]]) -> None:
    now = clock.now()
    for lo in range(0, len(pairs), FOLLOW_BATCH):
        rows = [
            {"id": new_id(), "account_id": a, "target_account_id": b, "created_at": now}
            for a, b in pairs[lo : lo + FOLLOW_BATCH]
        ]
        async with db.write() as conn:
            await conn.execute(
                insert_ignoring(conn, follows, rows, ["account_id", "target_account_id"])
            )


async def _post(db: Database, author: int, text: str) -> tuple[Status, float]:
    """A status by `author`, fanned out; the seconds the fan-out statement took."""
    status = Status(
        id=new_id(), account_id=author, text=text, content=f"<p>{text}</p>",
        created_at=clock.now(), visibility="public",
    )  # fmt: skip
    entry = home_feeds.Entry(status.id, author, None, "public", None)
    async with db.write() as conn:
        await status_store.insert(conn, status, [], [])
        started = time.perf_counter()
        await home_feeds.fan_out(conn, entry, clock.now())
        took = time.perf_counter() - started
    return status, took


async def prepare(url: str, shape: Shape, posts: int) -> dict[str, float]:
    db = Database(url)
    try:
        await db.migrate()  # a database seeded before the home feeds gets their table
        viewer = await _viewer_id(db)
        start = shape.tier_end
        followed = [account_id(i) for i in range(start, min(start + FOLLOWED, shape.accounts))]
        await _follow_all(db, [(viewer, f) for f in followed])
        async with db.read() as conn:
            have = int(
                await conn.scalar(
                    select(func.count())
                    .select_from(home_feed_entries)
                    .where(home_feed_entries.c.account_id == viewer)
                )
                or 0
            )
        for n in range(max(0, posts - have)):
            await _post(db, followed[n % len(followed)], f"post {n}")
        # An ordinary account (a few seeded followers) given 10k more: the celebrities of
        # the bigger networks have far more than 10k.
        popular_index = start + FOLLOWED
        popular = account_id(popular_index)
        wanted = min(CELEBRITY_FOLLOWERS, shape.accounts - 1)
        fans = [i for i in range(wanted + 1) if i != popular_index][:wanted]
        await _follow_all(db, [(account_id(i), popular) for i in fans])
        async with db.read() as conn:
            followers = int(
                await conn.scalar(
                    select(func.count())
                    .select_from(follows)
                    .where(follows.c.target_account_id == popular)
                )
                or 0
            )
        timings = [(await _post(db, popular, f"to {followers}"))[1] for _ in range(5)]
        return {
            "followers": followers,
            "fan_out_median_ms": statistics.median(timings) * 1000,
            "fan_out_max_ms": max(timings) * 1000,
        }
    finally:
        await db.dispose()


async def prepare_redis(url: str, shape: Shape, redis_url: str) -> dict[str, float]:
    """The viewer's feed rebuilt in Redis; the popular account's posts fanned out there."""
    from redis.asyncio import Redis

    db = Database(url)
    db.redis = Redis.from_url(redis_url)
    try:
        await db.redis.flushdb()  # the bench's own Redis database
        feeds = feed_rules.feeds_of(db)
        assert isinstance(feeds, feed_rules.RedisFeeds)
        viewer = await _viewer_id(db)
        await feeds.regenerate(db, viewer)
        popular = account_id(shape.tier_end + FOLLOWED)
        async with db.read() as conn:
            fans = [
                int(r[0])
                for r in await conn.execute(
                    select(follows.c.account_id).where(follows.c.target_account_id == popular)
                )
            ]
        async with db.redis.pipeline(transaction=False) as pipe:
            for fan in fans:  # their feeds exist: every add runs in full
                pipe.set(f"feed:{fan}:floor", 0)
            await pipe.execute()
        timings = []
        for n in range(5):
            status = Status(
                id=new_id(), account_id=popular, text=f"redis {n}", content=f"<p>redis {n}</p>",
                created_at=clock.now(), visibility="public",
            )  # fmt: skip
            entry = home_feeds.Entry(status.id, popular, None, "public", None)
            async with db.write() as conn:
                await status_store.insert(conn, status, [], [])
            started = time.perf_counter()
            await feeds.fan_out(db, status.id)  # the job: readers, then pipelined adds
            await feeds.ids.add([popular], entry.status_id, None, cap=400, falloff=40)
            timings.append(time.perf_counter() - started)
        return {
            "followers": len(fans),
            "fan_out_median_ms": statistics.median(timings) * 1000,
            "fan_out_max_ms": max(timings) * 1000,
        }
    finally:
        await db.redis.aclose()
        await db.dispose()


def run(backend: str, scale: int, posts: int, n: int, warm: int, redis_url: str = "") -> None:
    url = seed.scale_url(backend, scale)
    shape = Shape(scale, scale * seed.FOLLOWS_PER_ACCOUNT)
    asyncio.run(seed.seed(url, shape, lambda m: print(m, flush=True)))  # no-op when seeded
    fan_out = asyncio.run(prepare(url, shape, posts))
    if redis_url:
        fan_out = asyncio.run(prepare_redis(url, shape, redis_url))
    cases = [
        Case("GET /api/v1/timelines/home?limit=20", "GET", "/api/v1/timelines/home",
             {"limit": 20}),
        Case("GET /api/v1/timelines/home?limit=40", "GET", "/api/v1/timelines/home",
             {"limit": 40}),
        Case("POST /api/notes/timeline limit=20", "POST", "/api/notes/timeline",
             {"limit": 20}, misskey=True),
    ]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="tandem-timeline-bench-") as tmp:
        if redis_url:  # read by `tandem serve` from its data folder
            (Path(tmp) / "tandem.toml").write_text(f'redis_url = "{redis_url}"\n')
        server, base = start_server(url, Path(tmp))
        try:
            with httpx.Client(base_url=base, timeout=60) as client:
                bearer, native = tokens(client)
                results = {c.name: measure(client, c, bearer, native, n, warm) for c in cases}
        finally:
            server.terminate()
            server.wait(timeout=60)
    where = " (feeds in Redis)" if redis_url else " (feeds in the table)"
    name = seed.scale_name(scale).removeprefix("scale_")
    print(f"\ntandem {backend}, {name} accounts{where}:")
    print(
        f"  fan-out of one post to {int(fan_out['followers'])} followers: "
        f"median {fan_out['fan_out_median_ms']:.1f} ms, max {fan_out['fan_out_max_ms']:.1f} ms"
    )
    for name, t in results.items():
        print(f"  {name:40} p50 {t.p50:6.2f} ms  p99 {t.p99:6.2f} ms  statements {t.statements}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="10000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--posts", type=int, default=1000, help="statuses in the viewer's feed")
    parser.add_argument("-n", type=int, default=300, help="requests per endpoint")
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--redis", action="store_true", help="also with the feeds in Redis")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15",
                        help="a Redis database for the bench alone (emptied)")  # fmt: skip
    args = parser.parse_args()
    for backend in args.backends.split(","):
        for scale in (int(s) for s in args.scales.split(",")):
            run(backend, scale, args.posts, args.n, args.warm)
            if args.redis:
                run(backend, scale, args.posts, args.n, args.warm, args.redis_url)


if __name__ == "__main__":
    main()
