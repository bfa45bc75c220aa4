"""Hashtags featured on a profile."""

from __future__ import annotations

import re

from tandem.config import Settings
from tandem.core import clock
from tandem.core.accounts import require
from tandem.core.errors import NotFound, Unprocessable, ValidationFailed
from tandem.core.i18n import Text
from tandem.core.ids import new_id
from tandem.core.models import Account, FeaturedTag
from tandem.store import accounts as account_store
from tandem.store import lists as store
from tandem.store import statuses as status_store
from tandem.store.db import Conn, Database

_TAG_NAME = re.compile(r"\A[\w·\u200c]*[^\W\d][\w·\u200c]*\Z")


async def _for_account(conn: Conn, account_id: int) -> list[FeaturedTag]:
    rows = await store.featured_tag_rows(conn, account_id)
    stats = await status_store.tag_stats(conn, account_id, [r.tag_id for r in rows])
    return [store.featured(r, stats.get(r.tag_id)) for r in rows]


async def of_account(db: Database, account_id: int) -> list[FeaturedTag]:
    async with db.read() as conn:
        account = await require(conn, account_id)
        if account.suspended:
            return []
        return await _for_account(conn, account.id)


async def create(db: Database, settings: Settings, owner: Account, name: str | None) -> FeaturedTag:
    tag = (name or "").strip().removeprefix("#")
    if not tag:
        raise ValidationFailed.one("name", "blank", "can't be blank")
    if not _TAG_NAME.match(tag) or len(tag) > 255:
        raise ValidationFailed.one("name", "invalid", "is not a valid hashtag")
    now = clock.now()
    async with db.write() as conn:
        await account_store.lock_accounts(conn, owner.id)  # the limit holds under races too
        existing = await _for_account(conn, owner.id)
        if any(f.name.lower() == tag.lower() for f in existing):
            raise ValidationFailed.one("name", "taken", "has already been taken")
        if len(existing) >= settings.max_featured_tags:
            raise Unprocessable(
                Text(
                    "You cannot feature more than {count} hashtags",
                    count=settings.max_featured_tags,
                ),
                code="FEATURED_TAG_LIMIT",
            )
        (tag_id,) = await status_store.ensure_tags(conn, [tag], now)
        row_id = new_id()
        created_now = await store.insert_featured_tag(
            conn, row_id=row_id, account_id=owner.id, tag_id=tag_id, now=now
        )
        if not created_now:
            raise ValidationFailed.one("name", "taken", "has already been taken")
        created = [f for f in await _for_account(conn, owner.id) if f.id == row_id]
    return created[0]


async def delete(db: Database, owner: Account, featured_id: int) -> None:
    async with db.write() as conn:
        if not await store.delete_featured_tag(conn, owner.id, featured_id):
            raise NotFound("featured_tag")


async def suggestions(db: Database, owner: Account, limit: int = 10) -> list[tuple[int, str]]:
    """The owner's most used hashtags that are not featured yet: (tag id, name) each."""
    async with db.read() as conn:
        featured = {f.name.lower() for f in await _for_account(conn, owner.id)}
        used = await status_store.tags_used_by(conn, owner.id, limit + len(featured))
    return [(i, t) for i, t in used if t.lower() not in featured][:limit]
