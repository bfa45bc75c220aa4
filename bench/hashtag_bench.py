"""Latency of the hashtag endpoints at 10k, 100k and 1M accounts (3 posts each: 3M at 1M).

    .venv/bin/python bench/hashtag_bench.py --scales 10000,100000,1000000
    .venv/bin/python bench/hashtag_bench.py --quick      # 10k only, 30 requests per endpoint

Each scale has databases of its own (`hashtags_<scale>`: SQLite files under
/tmp/tandem-scale/, PostgreSQL databases of that name), seeded once: bench/seed.py's accounts
(with 5 follows each, so follower counts differ), then 3 public posts per account with one
or two tags each from a vocabulary of accounts/10 tags, drawn log-uniformly (a few tags are
everywhere, most are rare), one account in ten wearing 1-3 tags in its profile, a week of
daily history per tag and this hour's activity. The counters are set from the rows with SQL,
as the migration counts them. Prints p50/p99 per endpoint and scale and p99 at the largest
scale over the smallest (the baseline measured in the same run).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import seed, seed_sql
from bench.scale_bench import Case, Timing, measure_all, report
from bench.seed_shape import Shape, account_id

from tandem.core.ids import new_id

POSTS_PER_ACCOUNT = 3
FOLLOWS_PER_ACCOUNT = 5
BATCH = 50_000
LETTERS = "abcdefghijklmnoprstuvwy"


def _url(backend: str, scale: int) -> str:
    name = seed.scale_name(scale).replace("scale_", "hashtags_")
    if backend == "sqlite":
        return f"sqlite:///{seed.SCALE_DIR / (name + '.sqlite3')}"
    return f"{seed.ADMIN_URL.rsplit('/', 1)[0]}/{name}"


def tag_name(i: int) -> str:
    """A word-like name per tag index (3-8 letters, then the index in letters: unique)."""
    rng = random.Random(i * 7919)
    word = "".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 8)))
    suffix = ""
    n = i
    while True:
        suffix += LETTERS[n % len(LETTERS)]
        n //= len(LETTERS)
        if n == 0:
            return word + suffix


def _pick(rng: random.Random, tags: int) -> int:
    """Log-uniform over the vocabulary: tag 0 is used most, half the uses go to the first √n."""
    return min(tags - 1, int(math.exp(rng.random() * math.log(tags))) - 1)


async def grow(url: str, scale: int, log: Any = print) -> None:
    """Seed the database once (accounts, follows, posts, tags, counters, activity)."""
    shape = Shape(scale, scale * FOLLOWS_PER_ACCOUNT)
    await seed.seed(url, shape, log)
    async with seed_sql.connect(url, bulk=True) as db:
        if await db.value("SELECT COUNT(*) FROM tag_mentioners") or 0:
            log(f"  already seeded: {scale} accounts with posts and tags")
            return
        sqlite = isinstance(db, seed_sql.SqliteLoader)
        tags = max(100, scale // 10)
        now = datetime.now(UTC)
        log(f"  {tags} tags, {scale * POSTS_PER_ACCOUNT} posts…")
        await db.copy(
            "tags",
            ("id", "name", "name_key", "created_at"),
            [(i + 1, tag_name(i), tag_name(i), now) for i in range(tags)],
        )
        rng = random.Random(11)
        statuses: list[tuple[Any, ...]] = []
        status_tags: list[tuple[int, int]] = []
        for index in range(scale):
            author = account_id(index)
            for _ in range(POSTS_PER_ACCOUNT):
                sid = new_id()
                chosen = {_pick(rng, tags) for _ in range(rng.randint(1, 2))}
                body = " ".join(f"#{tag_name(t)}" for t in chosen)
                statuses.append((sid, author, body, f"<p>{body}</p>", "public", now))
                status_tags += [(sid, t + 1) for t in chosen]
            if len(statuses) >= BATCH:
                await _flush(db, statuses, status_tags)
        await _flush(db, statuses, status_tags)
        log("  profile tags, counters, activity…")
        worn = {
            (_pick(rng, tags) + 1, account_id(i))
            for i in range(0, scale, 10)
            for _ in range(rng.randint(1, 3))
        }
        await db.copy("account_tags", ("tag_id", "account_id"), sorted(worn))
        await db.run(
            "INSERT INTO tag_mentioners (tag_id, account_id) SELECT DISTINCT st.tag_id, "
            "s.account_id FROM status_tags st JOIN statuses s ON s.id = st.status_id"
        )
        for table, kind in (("tag_mentioners", "mentioned"), ("account_tags", "attached")):
            count = f"(SELECT COUNT(*) FROM {table} x WHERE x.tag_id = tags.id)"
            await db.run(f"UPDATE tags SET {kind}_users = {count}, {kind}_local_users = {count}")
        await db.run(
            "UPDATE accounts SET statuses_count = statuses_count + 3, updated_at = created_at"
        )
        await _activity(db, rng, tags, scale, now, sqlite)
        viewer = await db.account_by_username(seed.VIEWER)
        await db.copy(
            "tag_follows",
            ("id", "account_id", "tag_id", "created_at"),
            [(new_id(), viewer, t, now) for t in (1, 2, 6)],
        )
        own = [new_id() for _ in range(3)]  # the viewer's posts: featured tag suggestions
        columns = ("id", "account_id", "text", "content", "visibility", "created_at")
        await db.copy("statuses", columns, [(i, viewer, "#x", "#x", "public", now) for i in own])
        await db.copy("status_tags", ("status_id", "tag_id"), [(i, 3) for i in own])
        await db.commit()
        await db.analyze()


async def _flush(
    db: seed_sql.Loader, statuses: list[tuple[Any, ...]], status_tags: list[tuple[int, int]]
) -> None:
    await db.copy(
        "statuses", ("id", "account_id", "text", "content", "visibility", "created_at"), statuses
    )
    await db.copy("status_tags", ("status_id", "tag_id"), status_tags)
    await db.commit()
    statuses.clear()
    status_tags.clear()


async def _activity(
    db: seed_sql.Loader, rng: random.Random, tags: int, scale: int, now: datetime, sqlite: bool
) -> None:
    """A week of history for every tag."""
    today = now.date()
    history = []
    for t in range(tags):
        weight = 1 + tags // (t + 1)
        for d in range(7):
            uses = rng.randint(0, weight)
            if uses:
                day = today - timedelta(days=d)
                shown: date | str = day.isoformat() if sqlite else day
                history.append((t + 1, shown, uses, max(1, uses // 2)))
    await db.copy("tag_history", ("tag_id", "day", "uses", "accounts"), history)


async def refresh_activity(url: str, scale: int) -> None:
    """This hour's uses (the trend's 10-minute buckets), made again for each run."""
    tags = max(100, scale // 10)
    rng = random.Random(13)
    now = datetime.now(UTC)
    bucket = now.replace(minute=now.minute - now.minute % 10, second=0, microsecond=0)
    recent = {
        (_pick(rng, tags) + 1, bucket - timedelta(minutes=10 * rng.randint(0, 5)),
         account_id(rng.randrange(scale)))
        for _ in range(min(50_000, scale))
    }  # fmt: skip
    async with seed_sql.connect(url, bulk=False) as db:
        await db.run("DELETE FROM tag_use_buckets")
        await db.run("DELETE FROM shared_results")  # the last run's ranking
        await db.copy("tag_use_buckets", ("tag_id", "bucket", "account_id"), sorted(recent))
        await db.commit()


def cases(scale: int) -> list[Case]:
    tags = max(100, scale // 10)
    top, middle = tag_name(0), tag_name(int(math.sqrt(tags)))
    out = [
        Case("K hashtags/list +mentionedUsers", "POST", "/api/hashtags/list",
             {"sort": "+mentionedUsers", "limit": 10}, True),
        Case("K hashtags/list -attachedUsers", "POST", "/api/hashtags/list",
             {"sort": "-attachedUsers", "limit": 10}, True),
        Case("K hashtags/list +attachedLocal (only)", "POST", "/api/hashtags/list",
             {"sort": "+attachedLocalUsers", "attachedToLocalUserOnly": True}, True),
        Case("K hashtags/search 'a' (widest)", "POST", "/api/hashtags/search",
             {"query": "a", "limit": 10}, True),
        Case("K hashtags/search 'abo'", "POST", "/api/hashtags/search",
             {"query": top[:3], "limit": 10}, True),
        Case("K hashtags/show", "POST", "/api/hashtags/show", {"tag": top}, True),
        Case("K hashtags/users top +follower", "POST", "/api/hashtags/users",
             {"tag": top, "sort": "+follower", "limit": 10, "origin": "combined"}, True),
        Case("K hashtags/users top -createdAt p5", "POST", "/api/hashtags/users",
             {"tag": top, "sort": "-createdAt", "limit": 10, "offset": 50}, True),
        Case("K hashtags/users mid +updatedAt", "POST", "/api/hashtags/users",
             {"tag": middle, "sort": "+updatedAt", "limit": 10}, True),
        Case("K hashtags/trend", "POST", "/api/hashtags/trend", {}, True),
        Case("M GET /api/v1/tags/:name", "GET", f"/api/v1/tags/{top}", {}),
        Case("M GET /api/v1/trends/tags", "GET", "/api/v1/trends/tags", {}),
        Case("M GET /api/v1/followed_tags", "GET", "/api/v1/followed_tags", {}),
        Case("M GET /api/v1/featured_tags/suggestions", "GET",
             "/api/v1/featured_tags/suggestions", {}),
    ]  # fmt: skip
    return out


def run_scale(backend: str, scale: int, n: int, warm: int) -> dict[str, Timing]:
    url = _url(backend, scale)
    asyncio.run(grow(url, scale, lambda m: print(m, flush=True)))
    asyncio.run(refresh_activity(url, scale))
    return measure_all(url, cases(scale), n, warm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="10000,100000,1000000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    scales = [10_000] if args.quick else [int(s) for s in args.scales.split(",")]
    n = 30 if args.quick else args.requests
    seed.SCALE_DIR.mkdir(parents=True, exist_ok=True)
    for backend in args.backends.split(","):
        results = {s: run_scale(backend, s, n, warm=5) for s in scales}
        report(backend, scales, results, what=" hashtags")


if __name__ == "__main__":
    main()
