"""Home feeds materialised per account: writing a status into its readers' feeds (fan-out on
write), merging and purging an account's statuses, and reading one keyset page.

Fan-out is one `INSERT … SELECT` over the author's followers (never a loop per follower),
`ON CONFLICT DO NOTHING`, so running it again (a retried job) changes nothing.
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
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tandem.core.models import Page, Status
from tandem.store.db import Conn
from tandem.store.paging import newest_first
from tandem.store.relationships import live_mutes
from tandem.store.schema import (
    accounts,
    blocks,
    follows,
    home_feed_entries,
    list_accounts,
    lists,
    mentions,
    mutes,
    statuses,
)
from tandem.store.statuses import _decorate, from_row
from tandem.store.timelines import ORIGIN_AUTHOR, hidden_from, not_a_reply_to_others
from tandem.store.writes import dialect_of

feed = home_feed_entries


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


def _insert_from(conn: Conn, query: object) -> object:
    make = pg_insert if dialect_of(conn) == "postgresql" else sqlite_insert
    columns = ["account_id", "status_id", "author_id", "origin_author_id"]
    return make(feed).from_select(columns, query).on_conflict_do_nothing()  # type: ignore[arg-type]


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
    ]


async def add_to_author(conn: Conn, e: Entry) -> None:
    """The author's own feed (always, inside the posting transaction)."""
    own = select(_big(e.author_id).label("account_id"), *_values(e))
    await conn.execute(_insert_from(conn, own))  # type: ignore[call-overload]


async def fan_out(conn: Conn, e: Entry, now: datetime, *, with_author: bool = True) -> None:
    """The status into its readers' feeds: one statement for every local follower."""
    readers = select(follows.c.account_id, *_values(e)).where(_readers_of(e, now))
    if with_author:
        own = select(_big(e.author_id).label("account_id"), *_values(e))
        query: object = union_all(readers, own)
    else:
        query = readers
    await conn.execute(_insert_from(conn, query))  # type: ignore[call-overload]


async def merge(conn: Conn, account_id: int, target_id: int, limit: int, now: datetime) -> None:
    """The target's recent statuses into a new follower's feed (as fan-out would have put
    them): visible to followers, replies only to the target or to accounts the reader follows,
    reblogs only if the follow shows them and their author is not muted or blocked."""
    follow = (
        await conn.execute(
            select(follows.c.show_reblogs).where(
                follows.c.account_id == account_id, follows.c.target_account_id == target_id
            )
        )
    ).first()
    if follow is None:
        return
    other = follows.alias("replied_follow")
    conditions: list[ColumnElement[bool]] = [
        statuses.c.account_id == target_id,
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
                other.c.account_id == account_id,
                other.c.target_account_id == statuses.c.in_reply_to_account_id,
            ),
        ),
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
    rows = select(
        _big(account_id).label("account_id"),
        statuses.c.id,
        statuses.c.account_id,
        ORIGIN_AUTHOR,
    ).where(statuses.c.id.in_(select(recent.c.id)))
    await conn.execute(_insert_from(conn, rows))  # type: ignore[call-overload]


async def purge(conn: Conn, account_id: int, target_id: int, *, reblogs_of: bool) -> int:
    """Remove the target's statuses (and, with `reblogs_of`, others' reblogs of them) from the
    account's feed; how many entries went."""
    by: ColumnElement[bool] = feed.c.author_id == target_id
    if reblogs_of:
        by = or_(by, feed.c.origin_author_id == target_id)
    result = await conn.execute(delete(feed).where(feed.c.account_id == account_id, by))
    return int(result.rowcount or 0)


async def is_following(conn: Conn, account_id: int, target_id: int) -> bool:
    found = await conn.scalar(
        select(follows.c.id).where(
            follows.c.account_id == account_id, follows.c.target_account_id == target_id
        )
    )
    return found is not None


async def page(conn: Conn, account_id: int, window: Page, now: datetime) -> list[Status]:
    """One page of the account's home feed, newest first; authors muted or blocked since the
    entry was written are left out here (a mute hides older entries too)."""
    stmt = (
        select(statuses)
        .join(feed, feed.c.status_id == statuses.c.id)
        .where(
            feed.c.account_id == account_id,
            ~hidden_from(account_id, [feed.c.author_id, feed.c.origin_author_id], now),
        )
    )
    rows = await newest_first(conn, stmt, feed.c.status_id, window)
    return await _decorate(conn, [from_row(r) for r in rows])
