"""Clips: named collections of notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tandem.core import clock
from tandem.core.errors import NotFound, Unprocessable, ValidationFailed
from tandem.core.i18n import Text, too_long
from tandem.core.ids import new_id
from tandem.core.models import Account, Page
from tandem.core.statuses import visible
from tandem.store import collections as store
from tandem.store.db import AnyRow, Database

LIMIT = 10
NOTES_PER_CLIP = 200
DESCRIPTION_LIMIT = 2048


@dataclass(frozen=True)
class Clip:
    id: int
    account_id: int
    name: str
    description: str | None
    is_public: bool
    created_at: datetime
    last_clipped_at: datetime | None


def _from_row(row: AnyRow) -> Clip:
    m = row._mapping
    return Clip(
        id=m["id"],
        account_id=m["account_id"],
        name=m["name"],
        description=m["description"],
        is_public=m["is_public"],
        created_at=m["created_at"],
        last_clipped_at=m["last_clipped_at"],
    )


async def create(
    db: Database, owner: Account, name: str, description: str | None = None, is_public: bool = False
) -> Clip:
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed.one("name", "invalid", "must be 1 to 100 characters")
    if description is not None and len(description) > DESCRIPTION_LIMIT:
        raise ValidationFailed.one("description", "too_long", too_long(DESCRIPTION_LIMIT))
    clip_id = new_id()
    async with db.write() as conn:
        if await store.count_clips(conn, owner.id) >= LIMIT:
            raise Unprocessable(
                Text("You cannot create more than {count} clips.", count=LIMIT),
                code="TOO_MANY_CLIPS",
            )
        await store.insert_clip(
            conn,
            id=clip_id,
            account_id=owner.id,
            name=name,
            description=description,
            is_public=is_public,
            created_at=clock.now(),
        )
        row = await store.clip(conn, clip_id)
    assert row is not None
    return _from_row(row)


async def page(db: Database, owner: Account, window: Page) -> list[Clip]:
    async with db.read() as conn:
        return [_from_row(r) for r in await store.clips_page(conn, owner.id, window)]


async def add_note(db: Database, owner: Account, clip_id: int, status_id: int) -> None:
    async with db.write() as conn:
        row = await store.clip(conn, clip_id)
        if row is None or row.account_id != owner.id:
            raise NotFound("clip")
        status = await visible(conn, owner, status_id)
        await store.lock_clip(conn, clip_id)  # the check and the limit hold under races too
        present = await store.clip_note_ids(conn, clip_id)
        if status.id in present:
            raise Unprocessable("The note has already been clipped.", code="ALREADY_CLIPPED")
        if len(present) >= NOTES_PER_CLIP:
            raise Unprocessable(
                Text("A clip holds at most {count} notes.", count=NOTES_PER_CLIP),
                code="TOO_MANY_CLIP_NOTES",
            )
        await store.add_clip_note(conn, clip_id, status.id, clock.now())


async def note_ids(db: Database, clip_id: int) -> list[int]:
    async with db.read() as conn:
        return await store.clip_note_ids(conn, clip_id)
