"""Home feeds materialised per account: writing a status into its readers' feeds (fan-out on
write, folding reblogs as Mastodon does), merging and purging an account's statuses. Reading
them is store/home_feed_reads.py.

Fan-out is one `INSERT … SELECT` over the author's followers (never a loop per follower),
`ON CONFLICT DO NOTHING`, so running it again (a retried job) changes nothing.

The same rules serve the Redis feeds (store/redis_feeds.py holds only ids): `readers` lists
who receives a status, `merge_items` what a new follow brings (`prune` caps the table as the
Redis feeds are capped).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    and_,
    cast,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)

from tandem.store.db import Conn
from tandem.store.jobs import queue_once
from tandem.store.relationships import live_mutes
from tandem.store.schema import (
    accounts,
    blocks,
    follows,
    home_feed_entries,
    home_feed_held_reblogs,
    list_accounts,
    lists,
    mentions,
    mutes,
    statuses,
)
from tandem.store.timelines import ORIGIN_AUTHOR, hidden_from, not_a_reply_to_others
from tandem.store.writes import dialect_insert

feed = home_feed_entries
held = home_feed_held_reblogs
# Mastodon's REBLOG_FALLOFF, the window reblogs fold in (core/home_feeds.py passes its own).
FALLOFF = 40
_NO_ID = 2**63 - 1


def _big(value: int | None) -> Any:
    """A typed constant: PostgreSQL would take an untyped NULL in a SELECT list for text."""
    return cast(literal(value, BigInteger()), BigInteger())


@dataclass(frozen=True)
class Entry:
    """What fan-out needs to know about a status."""

    status_id: int
    author_id: int
    origin_author_id: int | None  # author of the reblogged status
    visibility: str
    in_reply_to_account_id: int | None
    reblog_of_id: int | None = None  # the reblogged status


_COLUMNS = ["account_id", "status_id", "author_id", "origin_author_id", "reblog_of_id"]


def _insert_from(conn: Conn, query: object, into: Any = feed) -> object:
    stmt = dialect_insert(conn, into).from_select(_COLUMNS, query)
    return stmt.on_conflict_do_nothing()


def _readers_of(e: Entry, now: datetime) -> ColumnElement[bool]:
    """Conditions on `follows` (a follower of the author) for receiving this status."""
    reader = follows.c.account_id
    authors = [_big(e.author_id)]
    if e.origin_author_id is not None:
        authors.append(_big(e.origin_author_id))
    conditions: list[ColumnElement[bool]] = [
        follows.c.target_account_id == e.author_id,
        exists().where(accounts.c.id == reader, accounts.c.domain.is_(None)),
        ~exists().where(blocks.c.account_id == reader, blocks.c.target_account_id.in_(authors)),
        ~exists().where(
            mutes.c.account_id == reader, mutes.c.target_account_id.in_(authors), live_mutes(now)
        ),
        # Members of an exclusive list show only in that list, not at home.
        ~exists().where(
            lists.c.account_id == reader,
            lists.c.exclusive.is_(True),
            list_accounts.c.list_id == lists.c.id,
            list_accounts.c.account_id == e.author_id,
        ),
    ]
    if e.origin_author_id is not None:
        conditions.append(follows.c.show_reblogs.is_(True))
    if e.visibility == "direct":
        conditions.append(
            exists().where(mentions.c.status_id == e.status_id, mentions.c.account_id == reader)
        )
    replied = e.in_reply_to_account_id
    if replied is not None and replied != e.author_id:
        # A reply reaches home only for those who follow both sides (or were replied to).
        other = follows.alias("replied_follow")
        conditions.append(
            or_(
                reader == replied,
                exists().where(other.c.account_id == reader, other.c.target_account_id == replied),
            )
        )
    return and_(*conditions)


def _values(e: Entry) -> list[Any]:
    return [
        _big(e.status_id).label("status_id"),
        _big(e.author_id).label("author_id"),
        _big(e.origin_author_id).label("origin_author_id"),
        _big(e.reblog_of_id).label("reblog_of_id"),
    ]


# Reblog folding (Mastodon's FeedManager#add_to_feed, REBLOG_FALLOFF): in a feed, a reblog is
# not added while its original, or another reblog of it, is among the feed's `falloff`
# newest entries (folded behind another reblog, it is held: see `put_back`); an original is
# not added while a reblog of it is among them. The same rule as the Redis store's script.


def _among_newest(entry: Any, falloff: int) -> ColumnElement[bool]:
    """This row of a feed is among the feed's `falloff` newest: fewer than `falloff` entries
    are newer (read only for a reader whose feed holds the status or a reblog of it, and
    only the entries above it, a few when it is near the top)."""
    newer = feed.alias("fold_newer")
    edge = (
        select(newer.c.status_id)
        .where(newer.c.account_id == entry.c.account_id, newer.c.status_id > entry.c.status_id)
        .order_by(newer.c.status_id)
        .offset(falloff - 1)
        .limit(1)
        .scalar_subquery()
    )
    among: ColumnElement[bool] = edge.is_(None)
    return among


def _near_top(reader: Any, falloff: int, *, status_id: int = 0, reblog_of: int = 0) -> Any:
    """The reader's feed holds this status (or a reblog of `reblog_of`) among its newest."""
    near = feed.alias("fold_near")
    which = near.c.status_id == status_id if status_id else near.c.reblog_of_id == reblog_of
    return exists().where(near.c.account_id == reader, which, _among_newest(near, falloff))


@dataclass(frozen=True)
class _Fold:
    """Per reader: the condition for adding the entry, and (for a reblog that may fold behind
    another reblog) the condition for holding it instead."""

    add: Any = None  # Callable[[reader], condition] or None (always added)
    hold: Any = None


async def _fold(conn: Conn, e: Entry, falloff: int) -> _Fold:
    if falloff <= 0:
        return _Fold()
    if e.reblog_of_id is None:
        # An original folds only behind a reblog of it: none exists for a new status.
        if not await _reblogged(conn, e.status_id, None):
            return _Fold()
        return _Fold(add=lambda r: ~_near_top(r, falloff, reblog_of=e.status_id))
    origin = e.reblog_of_id

    def original(r: Any) -> Any:
        return _near_top(r, falloff, status_id=origin)

    if not await _reblogged(conn, origin, e.status_id):  # the first reblog of it
        return _Fold(add=lambda r: ~original(r))

    def reblog(r: Any) -> Any:
        return _near_top(r, falloff, reblog_of=origin)

    return _Fold(
        add=lambda r: and_(~original(r), ~reblog(r)),
        hold=lambda r: and_(~original(r), reblog(r)),
    )


async def _reblogged(conn: Conn, status_id: int, other_than: int | None) -> bool:
    """Some reblog of the status exists (other than `other_than`)."""
    stmt = select(statuses.c.id).where(statuses.c.reblog_of_id == status_id)
    if other_than is not None:
        stmt = stmt.where(statuses.c.id != other_than)
    return await conn.scalar(stmt.limit(1)) is not None


async def _add(
    conn: Conn, e: Entry, readers: list[tuple[Any, list[Any]]], falloff: int
) -> list[int]:
    """The entry into the feeds of `readers` ((reader expression, its conditions) each, one
    statement for all), folding reblogs: one statement to hold what folds, one to add.
    Returns the accounts whose feed got the entry (their home streams hear of it)."""
    fold = await _fold(conn, e, falloff)

    def query(values: list[Any], extra: Any) -> object:
        parts = [
            select(reader.label("account_id"), *values).where(
                *where, *([extra(reader)] if extra is not None else [])
            )
            for reader, where in readers
        ]
        return parts[0] if len(parts) == 1 else union_all(*parts)

    if fold.hold is not None:
        await conn.execute(_insert_from(conn, query(_values(e), fold.hold), held))  # type: ignore[call-overload]
    added = _insert_from(conn, query(_values(e), fold.add)).returning(feed.c.account_id)  # type: ignore[attr-defined]
    return [int(r[0]) for r in await conn.execute(added)]


async def add_to_author(conn: Conn, e: Entry, *, falloff: int = FALLOFF) -> list[int]:
    """The author's own feed (always, inside the posting transaction)."""
    return await _add(conn, e, [(_big(e.author_id), [])], falloff)


async def fan_out(
    conn: Conn, e: Entry, now: datetime, *, with_author: bool = True, falloff: int = FALLOFF
) -> list[int]:
    """The status into its readers' feeds: one statement for every local follower (two when a
    reblog may fold behind another reblog of the same status). Returns who got it."""
    readers: list[tuple[Any, list[Any]]] = [(follows.c.account_id, [_readers_of(e, now)])]
    if with_author:
        readers.append((_big(e.author_id), []))
    return await _add(conn, e, readers, falloff)


async def put_back(
    conn: Conn, reblog_id: int, origin_id: int, *, falloff: int = FALLOFF, account_id: int = 0
) -> None:
    """Before a reblog leaves feeds (undone, deleted, purged): in each feed (or only
    `account_id`'s) where it is the newest reblog of its original and among the `falloff`
    newest entries, the oldest reblog held back behind it takes its place (Mastodon's
    remove_from_feed); the held reblogs it no longer stands for are forgotten."""
    if falloff <= 0:
        return
    shown = feed.alias("shown")
    newer = feed.alias("newer_reblog")
    first = held.alias("first_held")

    def first_held(account: Any) -> Any:
        return (
            select(func.min(first.c.status_id))
            .where(
                first.c.account_id == account,
                first.c.reblog_of_id == origin_id,
                first.c.status_id > reblog_id,
            )
            .scalar_subquery()
        )

    where = [
        shown.c.status_id == reblog_id,
        ~exists().where(
            newer.c.account_id == shown.c.account_id,
            newer.c.reblog_of_id == origin_id,
            newer.c.status_id > reblog_id,
        ),
    ]
    if account_id:
        where.append(shown.c.account_id == account_id)
    feeds = select(shown.c.account_id).where(*where)
    within = feed.alias("within")
    kept_from = func.coalesce(first_held(held.c.account_id), _NO_ID)
    await conn.execute(
        delete(held).where(
            held.c.reblog_of_id == origin_id,
            held.c.account_id.in_(feeds),
            or_(
                ~exists().where(
                    within.c.account_id == held.c.account_id,
                    within.c.status_id == reblog_id,
                    _among_newest(within, falloff),
                ),
                held.c.status_id < kept_from,
            ),
        )
    )
    back = held.alias("back")
    rows = (
        select(
            shown.c.account_id,
            back.c.status_id,
            back.c.author_id,
            back.c.origin_author_id,
            _big(origin_id).label("reblog_of_id"),
        )
        .select_from(
            shown.join(
                back,
                and_(back.c.account_id == shown.c.account_id, back.c.reblog_of_id == origin_id),
            )
        )
        .where(
            *where,
            _among_newest(shown, falloff),
            back.c.status_id == first_held(shown.c.account_id),
        )
    )
    await conn.execute(_insert_from(conn, rows))  # type: ignore[call-overload]


async def readers(conn: Conn, e: Entry, now: datetime) -> list[int]:
    """Who receives the status (the author first): the accounts `fan_out` would write to."""
    found = await conn.execute(select(follows.c.account_id).where(_readers_of(e, now)))
    return [e.author_id, *(int(r[0]) for r in found if r[0] != e.author_id)]


async def merge(
    conn: Conn,
    account_id: int,
    target_id: int,
    limit: int,
    now: datetime,
    *,
    falloff: int = FALLOFF,
) -> None:
    """The target's recent statuses into a new follower's feed (as fan-out would have put
    them): visible to followers, replies only to the target or to accounts the reader follows,
    reblogs only if the follow shows them and their author is not muted or blocked."""
    recent = await _merged(conn, account_id, target_id, limit, now)
    if recent is None:
        return
    if falloff > 0:
        # Oldest first, each folding against the feed as the ones before it left it (as the
        # Redis store adds them): a few hundred statements at most, in the sync job.
        found = await conn.execute(
            select(
                statuses.c.id,
                statuses.c.account_id,
                ORIGIN_AUTHOR,
                statuses.c.visibility,
                statuses.c.in_reply_to_account_id,
                statuses.c.reblog_of_id,
            )
            .where(statuses.c.id.in_(select(recent.c.id)))
            .order_by(statuses.c.id)
        )
        for r in list(found):
            e = Entry(int(r[0]), int(r[1]), r[2], str(r[3]), r[4], r[5])
            await _add(conn, e, [(_big(account_id), [])], falloff)
        return
    rows = select(
        _big(account_id).label("account_id"),
        statuses.c.id,
        statuses.c.account_id,
        ORIGIN_AUTHOR,
        statuses.c.reblog_of_id,
    ).where(statuses.c.id.in_(select(recent.c.id)))
    await conn.execute(_insert_from(conn, rows))  # type: ignore[call-overload]


async def merge_items(
    conn: Conn, account_id: int, target_id: int, limit: int, now: datetime
) -> list[tuple[int, int | None]]:
    """What `merge` writes, as (status id, reblogged status id), oldest first."""
    recent = await _merged(conn, account_id, target_id, limit, now)
    if recent is None:
        return []
    found = await conn.execute(
        select(statuses.c.id, statuses.c.reblog_of_id)
        .where(statuses.c.id.in_(select(recent.c.id)))
        .order_by(statuses.c.id)
    )
    return [(int(r[0]), r[1]) for r in found]


async def _merged(conn: Conn, account_id: int, target_id: int, limit: int, now: datetime) -> Any:
    follow = (
        await conn.execute(
            select(follows.c.show_reblogs).where(
                follows.c.account_id == account_id, follows.c.target_account_id == target_id
            )
        )
    ).first()
    if follow is None:
        return None
    other = follows.alias("replied_follow")
    conditions: list[ColumnElement[bool]] = [
        statuses.c.account_id == target_id,
        *reaches_follower(account_id, other),
        ~hidden_from(account_id, [statuses.c.account_id, ORIGIN_AUTHOR], now),
    ]
    if not follow.show_reblogs:
        conditions.append(statuses.c.reblog_of_id.is_(None))
    recent = (
        select(statuses.c.id)
        .where(*conditions)
        .order_by(statuses.c.id.desc())
        .limit(limit)
        .subquery()
    )
    return recent


async def purge(
    conn: Conn, account_id: int, target_id: int, *, reblogs_of: bool, falloff: int = FALLOFF
) -> int:
    """Remove the target's statuses (and, with `reblogs_of`, others' reblogs of them) from the
    account's feed, and from what it holds back; how many entries went. A reblog of the
    target's that goes makes way for one held back behind it (`put_back`)."""
    by: ColumnElement[bool] = feed.c.author_id == target_id
    kept: ColumnElement[bool] = held.c.author_id == target_id
    if reblogs_of:
        by = or_(by, feed.c.origin_author_id == target_id)
        kept = or_(kept, held.c.origin_author_id == target_id)
    await conn.execute(delete(held).where(held.c.account_id == account_id, kept))
    if falloff > 0:
        going = await conn.execute(
            select(feed.c.status_id, feed.c.reblog_of_id)
            .where(
                feed.c.account_id == account_id,
                feed.c.author_id == target_id,
                feed.c.reblog_of_id.is_not(None),
            )
            .order_by(feed.c.status_id)
        )
        for reblog_id, origin_id in list(going):
            await put_back(
                conn, int(reblog_id), int(origin_id), falloff=falloff, account_id=account_id
            )
    result = await conn.execute(delete(feed).where(feed.c.account_id == account_id, by))
    return int(result.rowcount or 0)


async def is_following(conn: Conn, account_id: int, target_id: int) -> bool:
    found = await conn.scalar(
        select(follows.c.id).where(
            follows.c.account_id == account_id, follows.c.target_account_id == target_id
        )
    )
    return found is not None


def reaches_follower(account_id: int, replied: Any) -> tuple[ColumnElement[bool], ...]:
    """Mastodon's rules for a followed account's status in a follower's home feed: not direct
    unless it mentions them, and a reply to someone else only when they follow that someone
    too (`replied`: an alias of `follows` for that check)."""
    return (
        or_(
            statuses.c.visibility.in_(("public", "unlisted", "private")),
            exists().where(
                mentions.c.status_id == statuses.c.id, mentions.c.account_id == account_id
            ),
        ),
        or_(
            not_a_reply_to_others(),
            statuses.c.in_reply_to_account_id == account_id,
            exists().where(
                replied.c.account_id == account_id,
                replied.c.target_account_id == statuses.c.in_reply_to_account_id,
            ),
        ),
    )


async def items_by(
    conn: Conn, ids: list[int], target_id: int, *, reblogs_of: bool
) -> list[tuple[int, int | None]]:
    """Of these statuses, those by the target (and, with `reblogs_of`, reblogs of its own), as
    (id, reblogged id)."""
    if not ids:
        return []
    by: ColumnElement[bool] = statuses.c.account_id == target_id
    if reblogs_of:
        by = or_(by, ORIGIN_AUTHOR == target_id)  # noqa: SIM300 (a column)
    found = await conn.execute(
        select(statuses.c.id, statuses.c.reblog_of_id).where(statuses.c.id.in_(ids), by)
    )
    return [(int(r[0]), r[1]) for r in found]


async def at_cap(conn: Conn, account_id: int, cap: int) -> bool:
    """The account's feed holds `cap` entries or more (so `prune` may have cut older ones)."""
    found = await conn.scalar(
        select(feed.c.status_id)
        .where(feed.c.account_id == account_id)
        .order_by(feed.c.status_id.desc())
        .offset(cap - 1)
        .limit(1)
    )
    return found is not None


async def schedule_prune(conn: Conn, now: datetime, run_at: datetime) -> None:
    """Queue the pruning job unless one is queued already (its key frees when it ends)."""
    await queue_once(conn, "home_feed_prune", run_at, now)


async def forget_held(conn: Conn) -> None:
    """Forget held reblogs whose original no reblog in their feed stands for any more."""
    await conn.execute(
        delete(held).where(
            ~exists().where(
                feed.c.account_id == held.c.account_id,
                feed.c.reblog_of_id == held.c.reblog_of_id,
            )
        )
    )


async def prune(conn: Conn, cap: int, batch: int = 200) -> int:
    """Cut every feed to its newest `cap` entries (reading falls back to the database beyond
    them); how many entries went. One grouped scan finds the feeds over the cap."""
    over = [
        int(r[0])
        for r in await conn.execute(
            select(feed.c.account_id).group_by(feed.c.account_id).having(func.count() > cap)
        )
    ]
    removed = 0
    for lo in range(0, len(over), batch):
        ranked = (
            select(
                feed.c.account_id,
                feed.c.status_id,
                func.row_number()
                .over(partition_by=feed.c.account_id, order_by=feed.c.status_id.desc())
                .label("rank"),
            )
            .where(feed.c.account_id.in_(over[lo : lo + batch]))
            .subquery()
        )
        cut = select(ranked.c.account_id, ranked.c.status_id).where(ranked.c.rank > cap)
        result = await conn.execute(
            delete(feed).where(tuple_(feed.c.account_id, feed.c.status_id).in_(cut))
        )
        removed += int(result.rowcount or 0)
    return removed
