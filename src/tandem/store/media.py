"""Queries on media attachments (Misskey: Drive files)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import case, select, update

from tandem.core.models import ImageRef, MediaAttachment, Page
from tandem.store.accounts import image_from_json, image_to_json
from tandem.store.db import AnyRow, Conn
from tandem.store.paging import newest_first
from tandem.store.query import Query, among
from tandem.store.schema import media_attachments
from tandem.store.writes import lock


def from_row(row: AnyRow) -> MediaAttachment:
    return from_mapping(row._mapping)


_COLUMNS = tuple(media_attachments.c.keys())


def from_mapping(m: Mapping[Any, Any]) -> MediaAttachment:
    file = image_from_json(m["file"])
    assert file is not None
    x, y = m["focus"]
    return MediaAttachment(
        id=m["id"],
        account_id=m["account_id"],
        status_id=m["status_id"],
        type=m["type"],
        file=file,
        thumbnail=image_from_json(m["thumbnail"]),
        description=m["description"],
        blurhash=m["blurhash"],
        focus=(float(x), float(y)),
        created_at=m["created_at"],
        name=m["name"],
        md5=m["md5"],
        is_sensitive=m["is_sensitive"],
        processing=m["processing"],
        meta=m["meta"],
    )


async def insert(conn: Conn, media: MediaAttachment) -> None:
    await conn.execute(
        media_attachments.insert().values(
            id=media.id,
            account_id=media.account_id,
            status_id=media.status_id,
            type=media.type,
            file=image_to_json(media.file),
            thumbnail=image_to_json(media.thumbnail),
            description=media.description,
            blurhash=media.blurhash,
            focus=list(media.focus),
            created_at=media.created_at,
            name=media.name,
            md5=media.md5,
            is_sensitive=media.is_sensitive,
            processing=media.processing,
            meta=media.meta,
        )
    )


async def get(conn: Conn, media_id: int) -> MediaAttachment | None:
    row = (
        await conn.execute(select(media_attachments).where(media_attachments.c.id == media_id))
    ).first()
    return from_row(row) if row else None


async def get_many(conn: Conn, ids: Iterable[int]) -> dict[int, MediaAttachment]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await conn.execute(select(media_attachments).where(media_attachments.c.id.in_(wanted)))
    return {m.id: m for m in map(from_row, rows)}


# Read with every page of statuses: compiled once.
_OF_STATUSES = Query(
    select(media_attachments)
    .where(among(media_attachments.c.status_id, "ids"))
    .order_by(media_attachments.c.position, media_attachments.c.id)
)


async def attachments_for(
    conn: Conn, status_ids: Iterable[int]
) -> dict[int, list[MediaAttachment]]:
    ids = sorted(set(status_ids))
    if not ids:
        return {}
    found: dict[int, list[MediaAttachment]] = defaultdict(list)
    for row in await _OF_STATUSES.rows(conn, ids=ids):
        media = from_mapping(dict(zip(_COLUMNS, row, strict=True)))
        assert media.status_id is not None
        found[media.status_id].append(media)
    return found


async def attach(conn: Conn, media_ids: Iterable[int], status_id: int) -> None:
    """Attach the media to the status in the order given (Mastodon's
    `ordered_media_attachment_ids`; a repeated id keeps its first place): one statement."""
    places = {media_id: place for place, media_id in enumerate(dict.fromkeys(media_ids))}
    if not places:
        return
    await conn.execute(
        update(media_attachments)
        .where(media_attachments.c.id.in_(list(places)))
        .values(status_id=status_id, position=case(places, value=media_attachments.c.id))
    )


async def update_details(
    conn: Conn, media_id: int, *, description: str | None, focus: tuple[float, float] | None
) -> None:
    values: dict[str, Any] = {}
    if description is not None:
        values["description"] = description
    if focus is not None:
        values["focus"] = list(focus)
    if values:
        await conn.execute(
            update(media_attachments).where(media_attachments.c.id == media_id).values(**values)
        )


async def lock_one(conn: Conn, media_id: int) -> MediaAttachment | None:
    """The row, held until the transaction ends (PostgreSQL; SQLite's write lock holds all)."""
    await lock(conn, media_attachments, [media_id])
    return await get(conn, media_id)


async def set_thumbnail(
    conn: Conn, media_id: int, thumbnail: ImageRef | None, blurhash: str | None
) -> None:
    await conn.execute(
        update(media_attachments)
        .where(media_attachments.c.id == media_id)
        .values(thumbnail=image_to_json(thumbnail), blurhash=blurhash)
    )


async def finish_processing(conn: Conn, media: MediaAttachment) -> bool:
    """Record a converted file; False when the row is no longer waiting for it (deleted, or
    done by another run)."""
    done = await conn.execute(
        update(media_attachments)
        .where(media_attachments.c.id == media.id, media_attachments.c.processing == "queued")
        .values(
            type=media.type,
            file=image_to_json(media.file),
            thumbnail=image_to_json(media.thumbnail),
            blurhash=media.blurhash,
            md5=media.md5,
            processing=media.processing,
            meta=media.meta,
        )
    )
    return bool(done.rowcount)


async def usage(conn: Conn, account_id: int) -> int:
    rows = await conn.execute(
        select(media_attachments.c.file, media_attachments.c.thumbnail).where(
            media_attachments.c.account_id == account_id
        )
    )
    total = 0
    for r in rows:
        total += int(r.file.get("size", 0)) + int((r.thumbnail or {}).get("size", 0))
    return total


async def delete(conn: Conn, media_id: int) -> None:
    await conn.execute(media_attachments.delete().where(media_attachments.c.id == media_id))


async def page_of(
    conn: Conn, account_id: int, page: Page, *, type_prefix: str | None = None
) -> list[MediaAttachment]:
    stmt = select(media_attachments).where(media_attachments.c.account_id == account_id)
    rows = await newest_first(conn, stmt, media_attachments.c.id, page)
    return [from_row(r) for r in rows]


async def delete_of_status(conn: Conn, status_id: int) -> list[MediaAttachment]:
    """Delete the media attached to a status; those this call deleted (their files go after
    the commit)."""
    stmt = media_attachments.delete().where(media_attachments.c.status_id == status_id)
    return [from_row(r) for r in await conn.execute(stmt.returning(*media_attachments.c))]
