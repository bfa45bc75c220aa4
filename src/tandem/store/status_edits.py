"""Queries for editing a status: its new text and media, its mentions and tags, and the
versions kept for its history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from tandem.core.ids import new_id
from tandem.store.db import Conn
from tandem.store.media import attach
from tandem.store.schema import media_attachments, mentions, status_edits, status_tags, statuses


@dataclass(frozen=True)
class Version:
    id: int
    account_id: int
    text: str
    spoiler_text: str
    content: str
    sensitive: bool
    media_ids: list[int]
    poll_options: list[str] | None
    created_at: datetime
    # Each medium's description in this version, parallel to media_ids (as Mastodon's
    # media_descriptions); None for versions kept before descriptions were.
    media_descriptions: list[str] | None = None


async def versions(conn: Conn, status_id: int) -> list[Version]:
    """The kept versions, oldest (the original) first."""
    rows = await conn.execute(
        select(status_edits)
        .where(status_edits.c.status_id == status_id)
        .order_by(status_edits.c.id)
    )
    return [
        Version(
            r.id,
            r.account_id,
            r.text,
            r.spoiler_text,
            r.content,
            r.sensitive,
            [int(i) for i in r.media_ids],
            list(r.poll_options) if r.poll_options is not None else None,
            r.created_at,
            _descriptions(r.media_descriptions),
        )
        for r in rows
    ]


async def keep(conn: Conn, status_id: int, version: Version) -> None:
    await conn.execute(
        status_edits.insert().values(
            id=new_id(),
            status_id=status_id,
            account_id=version.account_id,
            text=version.text,
            spoiler_text=version.spoiler_text,
            content=version.content,
            sensitive=version.sensitive,
            media_ids=version.media_ids,
            poll_options=version.poll_options,
            created_at=version.created_at,
            media_descriptions=version.media_descriptions,
        )
    )


def _descriptions(raw: Any) -> list[str] | None:
    if not isinstance(raw, list):
        return None
    return [d if isinstance(d, str) else "" for d in raw]


async def update_status(conn: Conn, status_id: int, **values: Any) -> None:
    await conn.execute(update(statuses).where(statuses.c.id == status_id).values(**values))


async def set_media(conn: Conn, status_id: int, media_ids: Sequence[int]) -> None:
    """Attach exactly these media (locked by the caller) to the status; others come off."""
    await conn.execute(
        update(media_attachments)
        .where(
            media_attachments.c.status_id == status_id,
            media_attachments.c.id.not_in(list(media_ids)),
        )
        .values(status_id=None)
    )
    await attach(conn, media_ids, status_id)  # in the order given


async def set_mentions_and_tags(
    conn: Conn, status_id: int, mention_ids: Sequence[int], tag_ids: Sequence[int]
) -> None:
    await conn.execute(delete(mentions).where(mentions.c.status_id == status_id))
    await conn.execute(delete(status_tags).where(status_tags.c.status_id == status_id))
    if mention_ids:
        await conn.execute(
            mentions.insert(), [{"status_id": status_id, "account_id": i} for i in mention_ids]
        )
    if tag_ids:
        await conn.execute(
            status_tags.insert(), [{"status_id": status_id, "tag_id": i} for i in tag_ids]
        )
