"""Queries on hashtags by name, followed tags, and whether an account features a tag."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from tandem.core.ids import new_id
from tandem.core.models import Page, TagView
from tandem.core.text import tag_key
from tandem.store.db import Conn
from tandem.store.paging import newest_first
from tandem.store.schema import featured_tags, tag_follows, tags
from tandem.store.writes import insert_new


async def by_name(conn: Conn, name: str) -> tuple[int, str] | None:
    row = (
        await conn.execute(select(tags.c.id, tags.c.name).where(tags.c.name_key == tag_key(name)))
    ).first()
    return (row.id, row.name) if row else None


async def view(conn: Conn, viewer_id: int | None, tag_id: int, name: str) -> TagView:
    if viewer_id is None:
        return TagView(tag_id, name)
    follow = await conn.scalar(
        select(tag_follows.c.id).where(
            tag_follows.c.account_id == viewer_id, tag_follows.c.tag_id == tag_id
        )
    )
    featured = await conn.scalar(
        select(featured_tags.c.id).where(
            featured_tags.c.account_id == viewer_id, featured_tags.c.tag_id == tag_id
        )
    )
    return TagView(tag_id, name, follow is not None, featured is not None, follow)


async def follow(conn: Conn, account_id: int, tag_id: int, now: datetime) -> bool:
    return await insert_new(
        conn,
        tag_follows,
        {"id": new_id(), "account_id": account_id, "tag_id": tag_id, "created_at": now},
        on=["account_id", "tag_id"],
    )


async def unfollow(conn: Conn, account_id: int, tag_id: int) -> bool:
    found = await conn.execute(
        delete(tag_follows)
        .where(tag_follows.c.account_id == account_id, tag_follows.c.tag_id == tag_id)
        .returning(tag_follows.c.id)
    )
    return found.first() is not None


async def followed(conn: Conn, account_id: int, page: Page) -> list[TagView]:
    """One's followed tags, most recently followed first, paged by the follow's id."""
    stmt = (
        select(tag_follows.c.id, tags.c.id.label("tag_id"), tags.c.name)
        .join(tags, tags.c.id == tag_follows.c.tag_id)
        .where(tag_follows.c.account_id == account_id)
    )
    rows = await newest_first(conn, stmt, tag_follows.c.id, page)
    featured = set(
        await conn.scalars(
            select(featured_tags.c.tag_id).where(
                featured_tags.c.account_id == account_id,
                featured_tags.c.tag_id.in_([r.tag_id for r in rows]),
            )
        )
    )
    return [TagView(r.tag_id, r.name, True, r.tag_id in featured, r.id) for r in rows]


async def featured_row(conn: Conn, account_id: int, tag_id: int) -> int | None:
    found = await conn.scalar(
        select(featured_tags.c.id).where(
            featured_tags.c.account_id == account_id, featured_tags.c.tag_id == tag_id
        )
    )
    return int(found) if found is not None else None
