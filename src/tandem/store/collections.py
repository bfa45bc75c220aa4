"""Queries on favorites (Mastodon bookmarks), antennas and clips."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update

from tandem.core.ids import new_id
from tandem.core.models import Page
from tandem.store.db import AnyRow, Conn
from tandem.store.paging import newest_first
from tandem.store.schema import antennas, clip_notes, clips, favorites
from tandem.store.writes import insert_new, lock


async def favorite(conn: Conn, account_id: int, status_id: int, now: datetime) -> bool:
    """Keep a note; False (nothing written) when the account already keeps it."""
    return await insert_new(
        conn,
        favorites,
        dict(id=new_id(), account_id=account_id, status_id=status_id, created_at=now),
        on=("account_id", "status_id"),
    )


async def find_favorite(conn: Conn, account_id: int, status_id: int) -> AnyRow | None:
    stmt = select(favorites).where(
        favorites.c.account_id == account_id, favorites.c.status_id == status_id
    )
    return (await conn.execute(stmt)).first()


async def unfavorite(conn: Conn, account_id: int, status_id: int) -> bool:
    """Stop keeping a note; True if this call removed it."""
    stmt = delete(favorites).where(
        favorites.c.account_id == account_id, favorites.c.status_id == status_id
    )
    return (await conn.execute(stmt.returning(favorites.c.id))).first() is not None


async def favorited_among(conn: Conn, account_id: int, status_ids: Iterable[int]) -> set[int]:
    ids = set(status_ids)
    if not ids:
        return set()
    rows = await conn.execute(
        select(favorites.c.status_id).where(
            favorites.c.account_id == account_id, favorites.c.status_id.in_(ids)
        )
    )
    return {r.status_id for r in rows}


async def favorites_page(conn: Conn, account_id: int, page: Page) -> list[AnyRow]:
    stmt = select(favorites).where(favorites.c.account_id == account_id)
    return await newest_first(conn, stmt, favorites.c.id, page)


async def insert_antenna(conn: Conn, **values: Any) -> None:
    await conn.execute(antennas.insert().values(**values))


async def antennas_of(conn: Conn, account_id: int) -> list[AnyRow]:
    rows = await conn.execute(
        select(antennas).where(antennas.c.account_id == account_id).order_by(antennas.c.id)
    )
    return list(rows)


async def antenna(conn: Conn, antenna_id: int) -> AnyRow | None:
    return (await conn.execute(select(antennas).where(antennas.c.id == antenna_id))).first()


async def delete_antenna(conn: Conn, antenna_id: int) -> None:
    await conn.execute(delete(antennas).where(antennas.c.id == antenna_id))


async def count_antennas(conn: Conn, account_id: int) -> int:
    stmt = select(func.count()).select_from(antennas).where(antennas.c.account_id == account_id)
    return int(await conn.scalar(stmt) or 0)


async def insert_clip(conn: Conn, **values: Any) -> None:
    await conn.execute(clips.insert().values(**values))


async def clip(conn: Conn, clip_id: int) -> AnyRow | None:
    return (await conn.execute(select(clips).where(clips.c.id == clip_id))).first()


async def clips_page(conn: Conn, account_id: int, page: Page) -> list[AnyRow]:
    stmt = select(clips).where(clips.c.account_id == account_id)
    return await newest_first(conn, stmt, clips.c.id, page)


async def count_clips(conn: Conn, account_id: int) -> int:
    stmt = select(func.count()).select_from(clips).where(clips.c.account_id == account_id)
    return int(await conn.scalar(stmt) or 0)


async def clip_note_ids(conn: Conn, clip_id: int) -> list[int]:
    rows = await conn.execute(
        select(clip_notes.c.status_id)
        .where(clip_notes.c.clip_id == clip_id)
        .order_by(clip_notes.c.created_at.desc())
    )
    return [r.status_id for r in rows]


async def lock_clip(conn: Conn, clip_id: int) -> None:
    await lock(conn, clips, [clip_id])


async def add_clip_note(conn: Conn, clip_id: int, status_id: int, now: datetime) -> bool:
    """Clip a note; False (nothing written) when the clip already holds it."""
    created = await insert_new(
        conn,
        clip_notes,
        dict(clip_id=clip_id, status_id=status_id, created_at=now),
        on=("clip_id", "status_id"),
    )
    if not created:
        return False
    await conn.execute(update(clips).where(clips.c.id == clip_id).values(last_clipped_at=now))
    return True
