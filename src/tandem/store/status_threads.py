"""Queries on threads: ancestors and descendants of a status, its reblogs, muted threads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, delete, literal, or_, select

from tandem.core.ids import new_id
from tandem.core.models import Page
from tandem.store.db import Conn
from tandem.store.paging import newest_first
from tandem.store.schema import blocks, follows, mutes, status_mutes, statuses
from tandem.store.writes import insert_new


async def reblogs_page(
    conn: Conn,
    status_id: int,
    page: Page,
    *,
    distributable_only: bool = False,
    with_quotes: bool = False,
) -> list[tuple[int, int]]:
    """(reblog id, reblogger id) of a status's reblogs in the window, newest first;
    `distributable_only`: only public and unlisted reblogs (Mastodon's reblogged_by list);
    `with_quotes`: its accepted quotes too (Misskey's notes/renotes: renotes with content)."""
    renotes = statuses.c.reblog_of_id == status_id
    if with_quotes:
        renotes = or_(
            renotes,
            and_(statuses.c.quote_of_id == status_id, statuses.c.quote_state == "accepted"),
        )
    stmt = select(statuses.c.id, statuses.c.account_id).where(renotes)
    if distributable_only:
        stmt = stmt.where(statuses.c.visibility.in_(("public", "unlisted")))
    return [(r.id, r.account_id) for r in await newest_first(conn, stmt, statuses.c.id, page)]


async def ancestor_ids(conn: Conn, status_id: int, limit: int) -> list[int]:
    """The statuses this one answers, the thread's root first (at most `limit`)."""
    up = (
        select(statuses.c.id, statuses.c.in_reply_to_id, literal(0).label("depth"))
        .where(statuses.c.id == status_id)
        .cte("up", recursive=True)
    )
    parent = statuses.alias("parent")
    up = up.union_all(
        select(parent.c.id, parent.c.in_reply_to_id, up.c.depth + 1).where(
            parent.c.id == up.c.in_reply_to_id, up.c.depth < limit
        )
    )
    rows = await conn.execute(select(up.c.id).where(up.c.depth > 0).order_by(up.c.depth.desc()))
    return [r.id for r in rows]


async def descendant_ids(conn: Conn, status_id: int, depth: int, limit: int) -> list[int]:
    """Replies to this status and to its replies (at most `depth` levels and `limit` rows),
    oldest first by level, the way threads read."""
    down = (
        select(statuses.c.id, literal(0).label("depth"))
        .where(statuses.c.id == status_id)
        .cte("down", recursive=True)
    )
    child = statuses.alias("child")
    down = down.union_all(
        select(child.c.id, down.c.depth + 1).where(
            child.c.in_reply_to_id == down.c.id, down.c.depth < depth
        )
    )
    rows = await conn.execute(
        select(down.c.id).where(down.c.depth > 0).order_by(down.c.id).limit(limit)
    )
    return [r.id for r in rows]


async def children_page(conn: Conn, status_id: int, page: Page) -> list[int]:
    """Ids of direct replies to a status in the window, newest first."""
    stmt = select(statuses.c.id).where(statuses.c.in_reply_to_id == status_id)
    return [r.id for r in await newest_first(conn, stmt, statuses.c.id, page)]


async def mute(conn: Conn, account_id: int, root_id: int, now: datetime) -> bool:
    return await insert_new(
        conn,
        status_mutes,
        dict(id=new_id(), account_id=account_id, status_id=root_id, created_at=now),
        on=("account_id", "status_id"),
    )


async def unmute(conn: Conn, account_id: int, root_id: int) -> bool:
    stmt = delete(status_mutes).where(
        status_mutes.c.account_id == account_id, status_mutes.c.status_id == root_id
    )
    return (await conn.execute(stmt.returning(status_mutes.c.id))).first() is not None


async def muted_among(conn: Conn, account_id: int, root_ids: Iterable[int]) -> set[int]:
    ids = set(root_ids)
    if not ids:
        return set()
    rows = await conn.execute(
        select(status_mutes.c.status_id).where(
            status_mutes.c.account_id == account_id, status_mutes.c.status_id.in_(ids)
        )
    )
    return {r.status_id for r in rows}


async def hidden_authors(
    conn: Conn, viewer_id: int, author_ids: Iterable[int], now: datetime
) -> set[int]:
    """Authors whose posts a thread hides from the viewer: blocked either way, or muted."""
    ids = set(author_ids) - {viewer_id}
    if not ids:
        return set()
    blocked = await conn.execute(
        select(blocks.c.account_id, blocks.c.target_account_id).where(
            or_(
                (blocks.c.account_id == viewer_id) & blocks.c.target_account_id.in_(ids),
                (blocks.c.target_account_id == viewer_id) & blocks.c.account_id.in_(ids),
            )
        )
    )
    hidden = {r.target_account_id if r.account_id == viewer_id else r.account_id for r in blocked}
    muted = await conn.execute(
        select(mutes.c.target_account_id).where(
            mutes.c.account_id == viewer_id,
            mutes.c.target_account_id.in_(ids),
            or_(mutes.c.expires_at.is_(None), mutes.c.expires_at > now),
        )
    )
    return hidden | {r.target_account_id for r in muted}


async def followed_among(conn: Conn, viewer_id: int, author_ids: Iterable[int]) -> set[int]:
    ids = set(author_ids)
    if not ids:
        return set()
    rows = await conn.execute(
        select(follows.c.target_account_id).where(
            follows.c.account_id == viewer_id, follows.c.target_account_id.in_(ids)
        )
    )
    return {r.target_account_id for r in rows}


async def root_id(conn: Conn, status_id: int, depth: int = 1000) -> int:
    """The first status of the thread this one belongs to (looked for `depth` levels up)."""
    up = await ancestor_ids(conn, status_id, depth)
    return up[0] if up else status_id


async def thread_muted(conn: Conn, account_id: int, status_id: int) -> bool:
    """Has the account muted the thread this status belongs to? (No muted threads at all,
    the common case, costs one indexed probe.)"""
    any_muted = await conn.scalar(
        select(status_mutes.c.id).where(status_mutes.c.account_id == account_id).limit(1)
    )
    if any_muted is None:
        return False
    return bool(await muted_among(conn, account_id, [await root_id(conn, status_id)]))
