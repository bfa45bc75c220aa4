"""Hashtag counters and activity: who used or wears each tag, lists by count, recent use.

Counters on `tags` move by the rows an insert or delete of `tag_mentioners` /
`account_tags` reports (RETURNING), in the same transaction: racing writers cannot make them
drift. Activity rows (10-minute buckets, days) are deduplicated by their primary keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, delete, exists, func, select, text, update

from tandem.core.models import HashtagCounts
from tandem.core.text import tag_key
from tandem.store.db import Conn
from tandem.store.jobs import queue_once
from tandem.store.schema import (
    account_tags,
    accounts,
    tag_day_accounts,
    tag_history,
    tag_mentioners,
    tag_use_buckets,
    tags,
)
from tandem.store.search import key_range
from tandem.store.writes import bump, dialect_insert, insert_ignoring

BUCKET = timedelta(minutes=10)
KEEP_BUCKETS = timedelta(days=1)
KEEP_DAYS = 8
PRUNE_EVERY = timedelta(hours=1)


_ROW = (
    tags.c.id,
    tags.c.name_key,
    tags.c.name,
    tags.c.mentioned_users,
    tags.c.mentioned_local_users,
    tags.c.mentioned_remote_users,
    tags.c.attached_users,
    tags.c.attached_local_users,
    tags.c.attached_remote_users,
)


def bucket_of(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % 10, second=0, microsecond=0)


def _counted(kind: str, local: bool, delta: int) -> dict[str, ColumnElement[int]]:
    origin = "local" if local else "remote"
    return {
        f"{kind}_users": bump(tags.c[f"{kind}_users"], delta),
        f"{kind}_{origin}_users": bump(tags.c[f"{kind}_{origin}_users"], delta),
    }


async def _count(conn: Conn, tag_ids: Sequence[int], kind: str, local: bool, delta: int) -> None:
    if tag_ids:
        stmt = update(tags).where(tags.c.id.in_(tag_ids)).values(**_counted(kind, local, delta))
        await conn.execute(stmt)


async def record_post(
    conn: Conn, account_id: int, local: bool, tag_ids: Sequence[int], now: datetime
) -> None:
    """A public or unlisted post used these tags: mentioners, counters, activity."""
    ids = list(dict.fromkeys(tag_ids))
    if not ids:
        return
    pairs = [{"tag_id": t, "account_id": account_id} for t in ids]
    new = await conn.execute(
        insert_ignoring(conn, tag_mentioners, pairs, None).returning(tag_mentioners.c.tag_id)
    )
    await _count(conn, [r[0] for r in new], "mentioned", local, 1)
    await record_activity(conn, account_id, ids, now, uses=1)


async def record_activity(
    conn: Conn, account_id: int, tag_ids: Sequence[int], now: datetime, *, uses: int
) -> None:
    """Activity for the trend and the history: `uses` is 1 for a post, 0 for a profile."""
    bucket = bucket_of(now)
    await conn.execute(
        insert_ignoring(
            conn,
            tag_use_buckets,
            [{"tag_id": t, "bucket": bucket, "account_id": account_id} for t in tag_ids],
            None,
        )
    )
    day = now.date()
    first_today = await conn.execute(
        insert_ignoring(
            conn,
            tag_day_accounts,
            [{"tag_id": t, "day": day, "account_id": account_id} for t in tag_ids],
            None,
        ).returning(tag_day_accounts.c.tag_id)
    )
    new = {r[0] for r in first_today}
    rows = [
        {"tag_id": t, "day": day, "uses": uses, "accounts": 1 if t in new else 0}
        for t in tag_ids
        if uses or t in new
    ]
    if rows:
        stmt = dialect_insert(conn, tag_history).values(rows)
        await conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["tag_id", "day"],
                set_={
                    "uses": tag_history.c.uses + stmt.excluded.uses,
                    "accounts": tag_history.c.accounts + stmt.excluded.accounts,
                },
            )
        )
    await queue_once(conn, "hashtag_prune", now + PRUNE_EVERY, now)


async def prune(conn: Conn, now: datetime) -> None:
    await conn.execute(delete(tag_use_buckets).where(tag_use_buckets.c.bucket < now - KEEP_BUCKETS))
    oldest = now.date() - timedelta(days=KEEP_DAYS)
    await conn.execute(delete(tag_day_accounts).where(tag_day_accounts.c.day < oldest))
    await conn.execute(delete(tag_history).where(tag_history.c.day < oldest))


async def profile_tags(conn: Conn, account_id: int) -> set[int]:
    rows = await conn.execute(
        select(account_tags.c.tag_id).where(account_tags.c.account_id == account_id)
    )
    return {r[0] for r in rows}


async def set_profile_tags(
    conn: Conn, account_id: int, local: bool, wanted: Sequence[int], now: datetime
) -> None:
    """The account's profile now wears exactly these tags."""
    current = await profile_tags(conn, account_id)
    gone = current - set(wanted)
    if gone:
        removed = await conn.execute(
            delete(account_tags)
            .where(account_tags.c.account_id == account_id, account_tags.c.tag_id.in_(gone))
            .returning(account_tags.c.tag_id)
        )
        await _count(conn, [r[0] for r in removed], "attached", local, -1)
    added = [t for t in wanted if t not in current]
    if added:
        pairs = [{"tag_id": t, "account_id": account_id} for t in added]
        new = await conn.execute(
            insert_ignoring(conn, account_tags, pairs, None).returning(account_tags.c.tag_id)
        )
        await _count(conn, [r[0] for r in new], "attached", local, 1)
    if wanted:
        await record_activity(conn, account_id, list(wanted), now, uses=0)


def _hashtag(row: Sequence[object]) -> HashtagCounts:
    return HashtagCounts(*row)  # type: ignore[arg-type]


async def by_key(conn: Conn, name: str) -> HashtagCounts | None:
    row = (await conn.execute(select(*_ROW).where(tags.c.name_key == tag_key(name)))).first()
    return _hashtag(row) if row else None


async def listed(
    conn: Conn, counter: str, descending: bool, limit: int, wearing: str | None
) -> list[HashtagCounts]:
    """Tags by one counter (`wearing`: only those some such profile wears, by its counter)."""
    column = tags.c[counter]
    stmt: Select[tuple[object, ...]] = select(*_ROW)
    if wearing is not None:
        stmt = stmt.where(tags.c[wearing] != 0)
    order = (column.desc(), tags.c.id.desc()) if descending else (column, tags.c.id)
    rows = await conn.execute(stmt.order_by(*order).limit(limit))
    return [_hashtag(r) for r in rows]


async def names_by_prefix(conn: Conn, prefix: str, limit: int, offset: int) -> list[str]:
    """Keys starting with `prefix` (an index range), most used by local accounts first."""
    stmt = select(tags.c.name_key).where(*key_range(conn, prefix))
    rows = await conn.execute(
        stmt.order_by(tags.c.mentioned_local_users.desc(), tags.c.name_key)
        .limit(limit)
        .offset(offset)
    )
    return [r[0] for r in rows]


# Above this many wearers, `wearers` walks accounts in sort order and probes each; below it,
# it reads the wearers and sorts them. Either way a page costs a few thousand index reads.
WALK_ABOVE = 2000

_SORTS = {"follower": accounts.c.followers_count, "createdAt": accounts.c.created_at,
          "updatedAt": accounts.c.updated_at}  # fmt: skip


async def wearers(
    conn: Conn,
    tag_id: int,
    wearing: int,
    *,
    sort: str,
    descending: bool,
    origin: str,
    alive_since: datetime | None,
    limit: int,
    offset: int,
) -> list[int]:
    """Ids of accounts whose profile wears the tag (suspended ones left out), sorted."""
    key = _SORTS[sort]
    wears = exists().where(
        account_tags.c.tag_id == tag_id, account_tags.c.account_id == accounts.c.id
    )
    conditions: list[ColumnElement[bool]] = [accounts.c.suspended_at.is_(None)]
    if origin == "local":
        conditions.append(accounts.c.domain.is_(None))
    elif origin == "remote":
        conditions.append(accounts.c.domain.is_not(None))
    if alive_since is not None:
        conditions.append(accounts.c.updated_at > alive_since)
    order = (key.desc(), accounts.c.id.desc()) if descending else (key, accounts.c.id)
    if wearing > WALK_ABOVE:
        stmt = select(accounts.c.id).where(wears, *conditions)
    else:
        stmt = (
            select(accounts.c.id)
            .select_from(account_tags.join(accounts, accounts.c.id == account_tags.c.account_id))
            .where(account_tags.c.tag_id == tag_id, *conditions)
        )
    stmt = stmt.order_by(*order).limit(limit).offset(offset)
    if conn.dialect.name != "postgresql":  # (a PostgreSQL read has no sync_connection)
        return [r[0] for r in await conn.execute(stmt)]
    # A parallel plan costs more to start than the walk takes (and its p99 doubles on a
    # busy machine): this read's autocommit session goes without, then back to the default.
    await conn.execute(text("SET max_parallel_workers_per_gather = 0"))
    try:
        return [r[0] for r in await conn.execute(stmt)]
    finally:
        await conn.execute(text("RESET max_parallel_workers_per_gather"))


async def ranking(
    conn: Conn, since: datetime, until: datetime, limit: int
) -> list[tuple[int, int]]:
    """(tag id, distinct accounts) of the tags most accounts used in [since, until)."""
    users = func.count(tag_use_buckets.c.account_id.distinct())
    rows = await conn.execute(
        select(tag_use_buckets.c.tag_id, users)
        .where(tag_use_buckets.c.bucket >= since, tag_use_buckets.c.bucket < until)
        .group_by(tag_use_buckets.c.tag_id)
        .order_by(users.desc(), tag_use_buckets.c.tag_id)
        .limit(limit)
    )
    return [(r[0], int(r[1])) for r in rows]


async def charts(
    conn: Conn, tag_ids: Iterable[int], since: datetime
) -> dict[int, dict[datetime, int]]:
    """Per tag: distinct accounts per 10-minute bucket from `since` on."""
    ids = list(tag_ids)
    if not ids:
        return {}
    rows = await conn.execute(
        select(tag_use_buckets.c.tag_id, tag_use_buckets.c.bucket, func.count())
        .where(tag_use_buckets.c.tag_id.in_(ids), tag_use_buckets.c.bucket >= since)
        .group_by(tag_use_buckets.c.tag_id, tag_use_buckets.c.bucket)
    )
    found: dict[int, dict[datetime, int]] = {t: {} for t in ids}
    for tag_id, bucket, count in rows:
        found[tag_id][bucket] = int(count)
    return found


async def history(
    conn: Conn, tag_ids: Iterable[int], since: date
) -> dict[int, dict[date, tuple[int, int]]]:
    """Per tag: (uses, accounts) per day from `since` on."""
    ids = list(tag_ids)
    if not ids:
        return {}
    rows = await conn.execute(
        select(
            tag_history.c.tag_id, tag_history.c.day, tag_history.c.uses, tag_history.c.accounts
        ).where(tag_history.c.tag_id.in_(ids), tag_history.c.day >= since)
    )
    found: dict[int, dict[date, tuple[int, int]]] = {t: {} for t in ids}
    for tag_id, day, uses, accounts_count in rows:
        found[tag_id][day] = (int(uses), int(accounts_count))
    return found


async def by_ids(conn: Conn, tag_ids: Sequence[int]) -> dict[int, HashtagCounts]:
    if not tag_ids:
        return {}
    rows = await conn.execute(select(*_ROW).where(tags.c.id.in_(list(tag_ids))))
    return {r[0]: _hashtag(r) for r in rows}
