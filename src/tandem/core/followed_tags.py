"""Hashtags a user follows or features (Mastodon's /api/v1/tags and /api/v1/followed_tags).

Any valid hashtag name can be shown, followed or featured, used or not (following one
creates it, as Mastodon does); an invalid name is simply not found."""

from __future__ import annotations

import contextlib
import re

from tandem.config import Settings
from tandem.core import clock, featured_tags
from tandem.core.errors import NotFound, ValidationFailed
from tandem.core.models import Account, Page, TagView
from tandem.store import followed_tags as store
from tandem.store import statuses as status_store
from tandem.store.db import Database

_TAG_NAME = re.compile(r"\A[\w·\u200c]*[^\W\d][\w·\u200c]*\Z")
NAME_LIMIT = 255


def _valid(name: str) -> str:
    name = name.removeprefix("#")
    if not name or len(name) > NAME_LIMIT or not _TAG_NAME.match(name):
        raise NotFound("tag")
    return name


async def show(db: Database, viewer: Account | None, name: str) -> TagView:
    name = _valid(name)
    async with db.read() as conn:
        found = await store.by_name(conn, name)
        if found is None:
            return TagView(None, name.lower())
        return await store.view(conn, viewer.id if viewer else None, *found)


async def follow(db: Database, owner: Account, name: str, *, on: bool = True) -> TagView:
    """Follow (or unfollow) a hashtag; doing it twice answers the same."""
    name = _valid(name)
    now = clock.now()
    async with db.write() as conn:
        if on:
            (tag_id,) = await status_store.ensure_tags(conn, [name], now)
            await store.follow(conn, owner.id, tag_id, now)
        else:
            found = await store.by_name(conn, name)
            if found is None:
                return TagView(None, name.lower())
            tag_id = found[0]
            await store.unfollow(conn, owner.id, tag_id)
        found = await store.by_name(conn, name)
        assert found is not None
        return await store.view(conn, owner.id, *found)


async def followed(db: Database, owner: Account, page: Page) -> list[TagView]:
    async with db.read() as conn:
        return await store.followed(conn, owner.id, page)


async def feature(
    db: Database, settings: Settings, owner: Account, name: str, *, on: bool = True
) -> TagView:
    """Feature the hashtag on one's profile (or stop); already so answers the same."""
    name = _valid(name)
    current = await show(db, owner, name)
    if on and not current.featuring:
        try:
            await featured_tags.create(db, settings, owner, name)
        except ValidationFailed:
            if not (await show(db, owner, name)).featuring:
                raise
            # a concurrent feature of the same tag won: already so
    elif not on and current.featuring and current.id is not None:
        async with db.read() as conn:
            row = await store.featured_row(conn, owner.id, current.id)
        if row is not None:
            with contextlib.suppress(NotFound):  # a concurrent unfeature won
                await featured_tags.delete(db, owner, row)
    return await show(db, owner, name)
