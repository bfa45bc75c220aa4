"""Hashtags as Misskey counts them, and their recent activity (trends, Mastodon's history).

A tag is counted when a public or unlisted post uses it (`mentioned`: each account once,
never taken back, as Misskey) and while a profile description wears it (`attached`: up to
32 per profile, as Misskey keeps). Both are split by origin: remote counts stay 0 until
federation brings remote accounts. The trend ranks the tags most accounts used in the
current hour (then the previous one); it is computed at most once a minute for every
process (store/shared_results.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from tandem.core import clock, text
from tandem.core.errors import NotFound
from tandem.core.models import Account, HashtagCounts
from tandem.store import accounts as account_store
from tandem.store import hashtags as store
from tandem.store import statuses as status_store
from tandem.store.db import Conn, Database
from tandem.store.hashtags import BUCKET
from tandem.store.shared_results import shared

PROFILE_LIMIT = 32
COUNTED_VISIBILITIES = ("public", "unlisted")
CHART_BUCKETS = 20
TREND_SIZE = 10
TREND_PERIOD = timedelta(minutes=1)
HISTORY_DAYS = 7
ALIVE = timedelta(days=5)

Counter = Literal[
    "mentioned_users",
    "mentioned_local_users",
    "mentioned_remote_users",
    "attached_users",
    "attached_local_users",
    "attached_remote_users",
]
UserSort = Literal["follower", "createdAt", "updatedAt"]


@dataclass(frozen=True)
class Trend:
    tag_id: int
    name: str
    chart: list[int]  # distinct accounts per 10 minutes, newest first
    users: int


@dataclass(frozen=True)
class Day:
    day: date
    uses: int
    accounts: int


async def on_posted(
    conn: Conn,
    account: Account,
    visibility: str,
    tag_ids: list[int],
    now: datetime,
) -> None:
    """Count a post's tags (only public and unlisted posts count, as Misskey's)."""
    if tag_ids and visibility in COUNTED_VISIBILITIES:
        await store.record_post(conn, account.id, account.domain is None, tag_ids, now)


async def on_profile(conn: Conn, account: Account, note: str, now: datetime) -> None:
    """The profile description was saved: it wears its first 32 tags."""
    names = text.hashtags(note)[:PROFILE_LIMIT]
    tag_ids = await status_store.ensure_tags(conn, names, now)
    await store.set_profile_tags(conn, account.id, account.domain is None, tag_ids, now)


async def show(db: Database, name: str) -> HashtagCounts:
    async with db.read() as conn:
        found = await store.by_key(conn, name)
    if found is None:
        raise NotFound("tag")
    return found


async def listed(
    db: Database, counter: Counter, descending: bool, limit: int, wearing: Counter | None
) -> list[HashtagCounts]:
    async with db.read() as conn:
        return await store.listed(conn, counter, descending, limit, wearing)


async def search(db: Database, query: str, limit: int, offset: int) -> list[str]:
    if not query:
        return []
    async with db.read() as conn:
        return await store.names_by_prefix(conn, query, limit, offset)


async def wearers(
    db: Database,
    name: str,
    *,
    sort: UserSort,
    descending: bool,
    origin: Literal["combined", "local", "remote"],
    alive: bool,
    limit: int,
    offset: int,
) -> list[Account]:
    """Accounts whose profile wears the tag (none when nobody ever used it)."""
    async with db.read() as conn:
        tag = await store.by_key(conn, name)
        if tag is None:
            return []
        wearing = {
            "combined": tag.attached_users,
            "local": tag.attached_local_users,
            "remote": tag.attached_remote_users,
        }[origin]
        ids = await store.wearers(
            conn,
            tag.id,
            wearing,
            sort=sort,
            descending=descending,
            origin=origin,
            alive_since=clock.now() - ALIVE if alive else None,
            limit=limit,
            offset=offset,
        )
        return await account_store.in_order(conn, ids)


async def trend(db: Database) -> list[Trend]:
    """The tags most accounts use now, shared by every process for a minute."""
    kept = await shared(db, "hashtag_trend", TREND_PERIOD, lambda: _ranking(db))
    return [Trend(t["id"], t["name"], t["chart"], t["users"]) for t in kept]


async def _ranking(db: Database) -> list[dict[str, object]]:
    now = clock.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    async with db.read() as conn:
        current = await store.ranking(conn, hour, now + BUCKET, TREND_SIZE)
        previous = await store.ranking(conn, hour - timedelta(hours=1), hour, TREND_SIZE)
        # This hour's tags first, then the last hour's others, as Misskey's two windows.
        order = [t for t, _ in current]
        order += [t for t, _ in previous if t not in order][: max(0, TREND_SIZE - len(order))]
        newest = store.bucket_of(now)
        since = newest - BUCKET * (CHART_BUCKETS - 1)
        charts = await store.charts(conn, order, since)
        names = await store.by_ids(conn, order)
    ranked = []
    for tag_id in order:
        per_bucket = charts.get(tag_id, {})
        chart = [per_bucket.get(newest - BUCKET * i, 0) for i in range(CHART_BUCKETS)]
        if tag_id in names:
            ranked.append({"id": tag_id, "name": names[tag_id].name, "chart": chart,
                           "users": max(chart)})  # fmt: skip
    return ranked


def _week() -> list[date]:
    today = clock.now().date()
    return [today - timedelta(days=i) for i in range(HISTORY_DAYS)]


def quiet_week() -> list[Day]:
    """The history of a tag nobody used."""
    return [Day(d, 0, 0) for d in _week()]


async def history(db: Database, tag_ids: list[int]) -> dict[int, list[Day]]:
    """Mastodon's history: the last 7 days (today first) of uses and accounts per tag."""
    if not tag_ids:
        return {}
    days = _week()
    async with db.read() as conn:
        found = await store.history(conn, tag_ids, days[-1])
    return {t: [Day(d, *found.get(t, {}).get(d, (0, 0))) for d in days] for t in tag_ids}


async def trending(db: Database, limit: int, offset: int) -> list[tuple[HashtagCounts, list[Day]]]:
    """Mastodon's trending tags: the same ranking as Misskey's trend, with their history."""
    ranked = [t.tag_id for t in await trend(db)][offset : offset + limit]
    async with db.read() as conn:
        rows = await store.by_ids(conn, ranked)
    days = await history(db, [t for t in ranked if t in rows])
    return [(rows[t], days[t]) for t in ranked if t in rows]


async def prune(db: Database) -> None:
    """Forget activity older than the trend and the history need."""
    async with db.write() as conn:
        await store.prune(conn, clock.now())
