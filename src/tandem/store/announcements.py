"""Queries on announcements, their reads and their reactions.

Every write that changes who sees which announcement, or which are unread, names the change
(`changed`): MeDetailed's unread list is cached per worker (core/caller_cache.py) on the
ANNOUNCEMENTS slot (any announcement written) and the reader's notifications slot (a read).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, func, literal, not_, or_, select, update

from tandem.core.models import Page
from tandem.store.db import AnyRow, Conn
from tandem.store.generations import RELATIONS, changed, key, notifications_changed
from tandem.store.paging import newest_first
from tandem.store.schema import announcement_reactions as r
from tandem.store.schema import announcement_reads as reads
from tandem.store.schema import announcements as a
from tandem.store.writes import dialect_of, insert_new

# The generation slot every announcement write bumps (no account has id 0: the relations
# slot of account 0 is nobody's).
ANNOUNCEMENTS = key(RELATIONS, 0)


def _active(now: datetime) -> ColumnElement[bool]:
    """Active now: not archived (Misskey's isActive) and its window not over (Mastodon's
    ends_at, past which Mastodon unpublishes it)."""
    return and_(a.c.is_active, or_(a.c.ends_at.is_(None), a.c.ends_at > now))


def _for(viewer_id: int | None) -> ColumnElement[bool]:
    """Announcements for everyone, and those for the viewer."""
    if viewer_id is None:
        return a.c.account_id.is_(None)
    return or_(a.c.account_id.is_(None), a.c.account_id == viewer_id)


async def insert(conn: Conn, **values: Any) -> None:
    await conn.execute(a.insert().values(**values))
    changed(ANNOUNCEMENTS)


async def get(conn: Conn, announcement_id: int) -> AnyRow | None:
    return (await conn.execute(select(a).where(a.c.id == announcement_id))).first()


async def lock(conn: Conn, announcement_id: int) -> AnyRow | None:
    """The row, held until the transaction ends (reactions counted against it)."""
    stmt = select(a).where(a.c.id == announcement_id)
    if dialect_of(conn) == "postgresql":
        stmt = stmt.with_for_update()
    return (await conn.execute(stmt)).first()


async def change(conn: Conn, announcement_id: int, **values: Any) -> None:
    if values:
        await conn.execute(update(a).where(a.c.id == announcement_id).values(**values))
        changed(ANNOUNCEMENTS)


async def remove(conn: Conn, announcement_id: int) -> AnyRow | None:
    """Delete it; the row it was (None: gone already)."""
    stmt = delete(a).where(a.c.id == announcement_id).returning(*a.c)
    found = (await conn.execute(stmt)).first()
    if found is not None:
        changed(ANNOUNCEMENTS)
    return found


async def listed(
    conn: Conn, viewer_id: int | None, page: Page, now: datetime, *, active: bool
) -> list[AnyRow]:
    """Misskey's `announcements`: published ones for the viewer, active or (only) not."""
    state = _active(now) if active else not_(_active(now))
    stmt = select(a).where(a.c.published, _for(viewer_id), state)
    return await newest_first(conn, stmt, a.c.id, page)


async def for_mastodon(
    conn: Conn, viewer_id: int, now: datetime, *, with_dismissed: bool
) -> list[AnyRow]:
    """Mastodon's list: published, active ones for the viewer, oldest event first."""
    stmt = select(a).where(a.c.published, _for(viewer_id), _active(now))
    if not with_dismissed:
        stmt = stmt.where(
            ~select(reads.c.id)
            .where(reads.c.announcement_id == a.c.id, reads.c.account_id == viewer_id)
            .exists()
        )
    when = func.coalesce(a.c.starts_at, a.c.published_at, a.c.created_at)
    return list(await conn.execute(stmt.order_by(when, a.c.id)))


async def for_admin(conn: Conn, target_id: int | None, page: Page) -> list[AnyRow]:
    """Every announcement (drafts and inactive ones too), global or for one account."""
    target = a.c.account_id.is_(None) if target_id is None else a.c.account_id == target_id
    return await newest_first(conn, select(a).where(target), a.c.id, page)


async def unread(conn: Conn, account_id: int, joined_id: int, now: datetime) -> list[AnyRow]:
    """MeDetailed's unread ones, in one statement: published, active, not silent, for
    everyone or the account, not only for accounts newer than it (`joined_id`: the first id
    of its creation's millisecond), and not read."""
    stmt = (
        select(a)
        .where(
            a.c.published,
            _active(now),
            not_(a.c.silence),
            _for(account_id),
            or_(not_(a.c.for_existing_users), a.c.id > joined_id),
            ~select(reads.c.id)
            .where(reads.c.announcement_id == a.c.id, reads.c.account_id == account_id)
            .exists(),
        )
        .order_by(a.c.id.desc())
    )
    return list(await conn.execute(stmt))


async def mark_read(
    conn: Conn, read_id: int, announcement_id: int, account_id: int, now: datetime
) -> bool:
    """Record the read; True when this call recorded it."""
    values = {
        "id": read_id,
        "announcement_id": announcement_id,
        "account_id": account_id,
        "created_at": now,
    }
    made = await insert_new(conn, reads, values, on=("announcement_id", "account_id"))
    if made:
        notifications_changed(account_id)
    return made


async def read_ids(conn: Conn, account_id: int, ids: Sequence[int]) -> set[int]:
    if not ids:
        return set()
    stmt = select(reads.c.announcement_id).where(
        reads.c.account_id == account_id, reads.c.announcement_id.in_(ids)
    )
    return {int(row[0]) for row in await conn.execute(stmt)}


async def read_counts(conn: Conn, ids: Sequence[int]) -> dict[int, int]:
    if not ids:
        return {}
    stmt = (
        select(reads.c.announcement_id, func.count())
        .where(reads.c.announcement_id.in_(ids))
        .group_by(reads.c.announcement_id)
    )
    return {int(row[0]): int(row[1]) for row in await conn.execute(stmt)}


async def reactions_of(conn: Conn, ids: Iterable[int], viewer_id: int | None) -> list[AnyRow]:
    """(announcement_id, name, count, me) per reaction, in the order they were first made."""
    wanted = list(ids)
    if not wanted:
        return []
    mine: Any = (
        func.max(case((r.c.account_id == viewer_id, 1), else_=0))
        if viewer_id is not None
        else literal(0)
    )
    stmt = (
        select(
            r.c.announcement_id,
            r.c.name,
            func.count().label("count"),
            mine.label("me"),
            func.min(r.c.id).label("first"),
        )
        .where(r.c.announcement_id.in_(wanted))
        .group_by(r.c.announcement_id, r.c.name)
        .order_by(r.c.announcement_id, func.min(r.c.id))
    )
    return list(await conn.execute(stmt))


async def other_names(conn: Conn, announcement_id: int, name: str) -> int:
    """How many distinct reactions besides `name` the announcement has."""
    stmt = select(func.count(func.distinct(r.c.name))).where(
        r.c.announcement_id == announcement_id, r.c.name != name
    )
    return int(await conn.scalar(stmt) or 0)


async def add_reaction(
    conn: Conn, reaction_id: int, announcement_id: int, account_id: int, name: str, now: datetime
) -> bool:
    values = {
        "id": reaction_id,
        "announcement_id": announcement_id,
        "account_id": account_id,
        "name": name,
        "created_at": now,
    }
    return await insert_new(conn, r, values, on=("announcement_id", "account_id", "name"))


async def remove_reaction(conn: Conn, announcement_id: int, account_id: int, name: str) -> bool:
    stmt = (
        delete(r)
        .where(
            r.c.announcement_id == announcement_id, r.c.account_id == account_id, r.c.name == name
        )
        .returning(r.c.id)
    )
    return (await conn.execute(stmt)).first() is not None


async def reaction_count(conn: Conn, announcement_id: int, name: str) -> int:
    stmt = select(func.count()).where(r.c.announcement_id == announcement_id, r.c.name == name)
    return int(await conn.scalar(stmt) or 0)
