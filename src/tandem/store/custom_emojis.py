"""Queries on local custom emoji."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import delete, select

from tandem.core.ids import new_id
from tandem.core.models import CustomEmoji, ImageRef
from tandem.store.db import AnyRow, Conn
from tandem.store.schema import custom_emojis
from tandem.store.writes import insert_new


def _from_row(row: AnyRow) -> CustomEmoji:
    m = row._mapping
    return CustomEmoji(
        id=m["id"],
        shortcode=m["shortcode"],
        image=ImageRef(**m["file"]),
        category=m["category"],
        visible_in_picker=bool(m["visible_in_picker"]),
        created_at=m["created_at"],
    )


async def all_emojis(conn: Conn) -> list[CustomEmoji]:
    rows = await conn.execute(select(custom_emojis).order_by(custom_emojis.c.shortcode))
    return [_from_row(r) for r in rows]


async def by_shortcode(conn: Conn, shortcode: str) -> CustomEmoji | None:
    row = (
        await conn.execute(select(custom_emojis).where(custom_emojis.c.shortcode == shortcode))
    ).first()
    return _from_row(row) if row else None


async def add(
    conn: Conn, shortcode: str, image: ImageRef, category: str | None, now: datetime
) -> bool:
    """False when the shortcode is taken (nothing written)."""
    return await insert_new(
        conn,
        custom_emojis,
        {
            "id": new_id(),
            "shortcode": shortcode,
            "file": asdict(image),
            "category": category,
            "created_at": now,
        },
        on=["shortcode"],
    )


async def remove(conn: Conn, shortcode: str) -> CustomEmoji | None:
    found = await by_shortcode(conn, shortcode)
    if found is not None:
        await conn.execute(delete(custom_emojis).where(custom_emojis.c.id == found.id))
    return found
