"""Quotes (a status quoting another, `statuses.quote_of_id`): the lists and state changes of
core/quotes.py, and what a page's quoted statuses need to know of the viewer's relations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Select,
    bindparam,
    literal,
    or_,
    select,
    union_all,
    update,
)

from tandem.core.models import Page
from tandem.store.db import Conn
from tandem.store.paging import newest_first
from tandem.store.query import Query, among
from tandem.store.schema import blocks, follows, mutes, statuses


@dataclass(frozen=True)
class Relations:
    """The viewer's relations with some authors (the ones a page's quotes need)."""

    blocked_by: set[int] = field(default_factory=set)  # authors who block the viewer
    blocking: set[int] = field(default_factory=set)  # authors the viewer blocks
    muting: set[int] = field(default_factory=set)  # authors the viewer mutes (now)
    following: set[int] = field(default_factory=set)  # authors the viewer follows


_VIEWER = bindparam("viewer", type_=BigInteger())
_NOW = bindparam("now", type_=mutes.c.expires_at.type)


def _which(stmt: Select[tuple[int]], index: int) -> Select[tuple[int, int]]:
    return stmt.add_columns(literal(index).label("which"))


# The four relations in one statement: (author id, which).
_RELATIONS = Query(
    union_all(
        _which(
            select(blocks.c.account_id).where(
                blocks.c.target_account_id == _VIEWER, among(blocks.c.account_id, "ids")
            ),
            0,
        ),
        _which(
            select(blocks.c.target_account_id).where(
                blocks.c.account_id == _VIEWER, among(blocks.c.target_account_id, "ids")
            ),
            1,
        ),
        _which(
            select(mutes.c.target_account_id).where(
                mutes.c.account_id == _VIEWER,
                among(mutes.c.target_account_id, "ids"),
                or_(mutes.c.expires_at.is_(None), mutes.c.expires_at > _NOW),
            ),
            2,
        ),
        _which(
            select(follows.c.target_account_id).where(
                follows.c.account_id == _VIEWER, among(follows.c.target_account_id, "ids")
            ),
            3,
        ),
    )
)


async def relations(
    conn: Conn, viewer_id: int, author_ids: Iterable[int], now: datetime
) -> Relations:
    """Blocks either way, mutes and follows between the viewer and these authors."""
    found = Relations()
    ids = sorted(set(author_ids) - {viewer_id})
    if not ids:
        return found
    sets = (found.blocked_by, found.blocking, found.muting, found.following)
    for author_id, which in await _RELATIONS.rows(conn, viewer=viewer_id, ids=ids, now=now):
        sets[which].add(author_id)
    return found


async def quotes_page(conn: Conn, status_id: int, page: Page) -> list[int]:
    """The accepted quotes of a status in the window, newest first."""
    stmt = select(statuses.c.id).where(
        statuses.c.quote_of_id == status_id, statuses.c.quote_state == "accepted"
    )
    return [r.id for r in await newest_first(conn, stmt, statuses.c.id, page)]


async def quoters(conn: Conn, status_id: int) -> list[tuple[int, int]]:
    """(quote id, its author) of every accepted quote of a status."""
    rows = await conn.execute(
        select(statuses.c.id, statuses.c.account_id).where(
            statuses.c.quote_of_id == status_id, statuses.c.quote_state == "accepted"
        )
    )
    return [(r.id, r.account_id) for r in rows]


async def revoke(conn: Conn, quote_id: int, quoted_id: int) -> bool:
    """Mark an accepted quote of `quoted_id` revoked; True if this call changed it."""
    stmt = (
        update(statuses)
        .where(
            statuses.c.id == quote_id,
            statuses.c.quote_of_id == quoted_id,
            statuses.c.quote_state == "accepted",
        )
        .values(quote_state="revoked")
        .returning(statuses.c.id)
    )
    return (await conn.execute(stmt)).first() is not None


async def set_policy(conn: Conn, status_id: int, policy: str) -> None:
    await conn.execute(
        update(statuses).where(statuses.c.id == status_id).values(quote_policy=policy)
    )
