"""Queries behind follow suggestions and the profile directory."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, delete, exists, func, not_, or_, select

from tandem.core.ids import new_id
from tandem.core.models import Account
from tandem.store.accounts import from_row
from tandem.store.db import Conn
from tandem.store.schema import (
    accounts,
    blocks,
    follow_requests,
    follows,
    mutes,
    suggestion_dismissals,
)
from tandem.store.writes import insert_new


def _pair(table: Table, a: Any, b: Any) -> ColumnElement[bool]:
    return exists().where(table.c.account_id == a, table.c.target_account_id == b)


def _candidate(viewer_id: int, now: datetime) -> list[ColumnElement[bool]]:
    """Local, active, discoverable accounts the viewer neither follows nor asked to follow,
    blocks, is blocked by, mutes, or dismissed as a suggestion."""
    target = accounts.c.id
    return [
        target != viewer_id,
        accounts.c.domain.is_(None),
        accounts.c.suspended_at.is_(None),
        or_(accounts.c.discoverable.is_(None), accounts.c.discoverable.is_(True)),
        not_(_pair(follows, viewer_id, target)),
        not_(_pair(follow_requests, viewer_id, target)),
        not_(_pair(blocks, viewer_id, target)),
        not_(_pair(blocks, target, viewer_id)),
        not_(_pair(suggestion_dismissals, viewer_id, target)),
        not_(
            exists().where(
                mutes.c.account_id == viewer_id,
                mutes.c.target_account_id == target,
                or_(mutes.c.expires_at.is_(None), mutes.c.expires_at > now),
            )
        ),
    ]


async def friends_of_friends(
    conn: Conn, viewer_id: int, limit: int, now: datetime
) -> list[Account]:
    """Accounts followed by the accounts the viewer follows, most shared first."""
    mine = select(follows.c.target_account_id).where(follows.c.account_id == viewer_id)
    theirs = follows.alias("theirs")
    count = func.count(theirs.c.id)
    stmt = (
        select(accounts.c.id, count.label("n"))
        .join(theirs, theirs.c.target_account_id == accounts.c.id)
        .where(theirs.c.account_id.in_(mine), *_candidate(viewer_id, now))
        .group_by(accounts.c.id)
        .order_by(count.desc(), accounts.c.id.desc())
        .limit(limit)
    )
    ranked = [r.id for r in await conn.execute(stmt)]
    if not ranked:
        return []
    found = {
        a.id: a
        for a in map(
            from_row, await conn.execute(select(accounts).where(accounts.c.id.in_(ranked)))
        )
    }
    return [found[i] for i in ranked if i in found]


async def most_followed(
    conn: Conn, viewer_id: int, limit: int, now: datetime, skip: list[int]
) -> list[Account]:
    stmt = (
        select(accounts)
        .where(*_candidate(viewer_id, now), accounts.c.id.not_in(skip))
        .order_by(accounts.c.followers_count.desc(), accounts.c.id.desc())
        .limit(limit)
    )
    return [from_row(r) for r in await conn.execute(stmt)]


async def dismiss(conn: Conn, viewer_id: int, target_id: int, now: datetime) -> None:
    await insert_new(
        conn,
        suggestion_dismissals,
        {
            "id": new_id(),
            "account_id": viewer_id,
            "target_account_id": target_id,
            "created_at": now,
        },
        on=["account_id", "target_account_id"],
    )


async def undismiss(conn: Conn, viewer_id: int, target_id: int) -> None:
    await conn.execute(
        delete(suggestion_dismissals).where(
            and_(
                suggestion_dismissals.c.account_id == viewer_id,
                suggestion_dismissals.c.target_account_id == target_id,
            )
        )
    )


async def directory(conn: Conn, *, order: str, offset: int, limit: int) -> list[Account]:
    """Local discoverable accounts: recently active first, or newest first."""
    stmt = select(accounts).where(
        accounts.c.domain.is_(None),
        accounts.c.suspended_at.is_(None),
        accounts.c.discoverable.is_(True),
    )
    if order == "new":
        stmt = stmt.order_by(accounts.c.id.desc())
    else:
        stmt = stmt.order_by(
            accounts.c.last_status_at.is_(None),
            accounts.c.last_status_at.desc(),
            accounts.c.id.desc(),
        )
    rows = await conn.execute(stmt.offset(offset).limit(limit))
    return [from_row(r) for r in rows]
