"""Reading home feeds: one keyset page of the table, a page of ids from a Redis feed, and a
page built from the follows themselves (Mastodon's `from_database`), for a feed that is
missing or a page older than a capped feed keeps. The first two run on every home request:
compiled once (store/query.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ColumnElement, and_, bindparam, exists, or_, select

from tandem.core.models import Page, Status
from tandem.store.db import Conn
from tandem.store.home_feeds import feed, reaches_follower
from tandem.store.paging import PagedQuery, newest_first
from tandem.store.query import Query, among
from tandem.store.schema import follows, list_accounts, lists, mutes, statuses
from tandem.store.statuses import _decorate, from_row, from_values
from tandem.store.timelines import ORIGIN_AUTHOR, hidden_from

_VIEWER = bindparam("viewer", type_=BigInteger())
_NOW = bindparam("now", type_=mutes.c.expires_at.type)
_PAGE = PagedQuery(
    select(statuses)
    .join(feed, feed.c.status_id == statuses.c.id)
    .where(
        feed.c.account_id == _VIEWER,
        ~hidden_from(_VIEWER, [feed.c.author_id, feed.c.origin_author_id], _NOW),
    ),
    feed.c.status_id,
)
_BY_IDS = Query(
    select(statuses)
    .where(
        among(statuses.c.id, "ids"),
        ~hidden_from(_VIEWER, [statuses.c.account_id, ORIGIN_AUTHOR], _NOW),
    )
    .order_by(statuses.c.id.desc())
)


async def page(conn: Conn, account_id: int, window: Page, now: datetime) -> list[Status]:
    """One page of the account's home feed, newest first; authors muted or blocked since the
    entry was written are left out here (a mute hides older entries too)."""
    rows = await _PAGE.rows(conn, window, viewer=account_id, now=now)
    return await _decorate(conn, [from_values(r) for r in rows])


async def by_ids(conn: Conn, account_id: int, ids: list[int], now: datetime) -> list[Status]:
    """These statuses (from a Redis feed), newest first: those deleted since, or whose author
    the account mutes or blocks by now, left out."""
    if not ids:
        return []
    rows = await _BY_IDS.rows(conn, ids=ids, viewer=account_id, now=now)
    return await _decorate(conn, [from_values(r) for r in rows])


def _home_of(account_id: int, now: datetime) -> list[ColumnElement[bool]]:
    """The statuses a home feed holds, by the rules of fan-out and merge, read from the follows
    themselves (for a feed that is missing, or older than its cap keeps)."""
    followed = follows.alias("home_follow")
    replied = follows.alias("home_replied_follow")
    others = and_(
        exists().where(
            followed.c.account_id == account_id,
            followed.c.target_account_id == statuses.c.account_id,
            or_(statuses.c.reblog_of_id.is_(None), followed.c.show_reblogs.is_(True)),
        ),
        ~exists().where(
            lists.c.account_id == account_id,
            lists.c.exclusive.is_(True),
            list_accounts.c.list_id == lists.c.id,
            list_accounts.c.account_id == statuses.c.account_id,
        ),
        *reaches_follower(account_id, replied),
    )
    return [
        or_(statuses.c.account_id == account_id, others),
        ~hidden_from(account_id, [statuses.c.account_id, ORIGIN_AUTHOR], now),
    ]


def _by_authors_followed(account_id: int) -> ColumnElement[bool]:
    """The index-friendly half of `_home_of`: by the account or an account it follows."""
    return or_(
        statuses.c.account_id == account_id,
        statuses.c.account_id.in_(
            select(follows.c.target_account_id).where(follows.c.account_id == account_id)
        ),
    )


async def from_database(conn: Conn, account_id: int, window: Page, now: datetime) -> list[Status]:
    """One page of the home feed built from the follows (Mastodon's `from_database`)."""
    stmt = select(statuses).where(_by_authors_followed(account_id), *_home_of(account_id, now))
    rows = await newest_first(conn, stmt, statuses.c.id, window)
    return await _decorate(conn, [from_row(r) for r in rows])


async def recent_items(
    conn: Conn, account_id: int, limit: int, now: datetime
) -> list[tuple[int, int | None]]:
    """The newest `limit` statuses of a rebuilt feed, as (id, reblogged id), oldest first."""
    stmt = (
        select(statuses.c.id, statuses.c.reblog_of_id)
        .where(_by_authors_followed(account_id), *_home_of(account_id, now))
        .order_by(statuses.c.id.desc())
        .limit(limit)
    )
    rows = [(int(r[0]), r[1]) for r in await conn.execute(stmt)]
    rows.reverse()
    return rows
