"""Favorites: notes kept for later (Misskey favorites, Mastodon bookmarks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tandem.core import clock
from tandem.core.errors import Unprocessable
from tandem.core.models import Account, Page
from tandem.core.statuses import StatusBundle, bundle, visible
from tandem.store import collections as store
from tandem.store import statuses as status_store
from tandem.store.db import Database


@dataclass(frozen=True)
class Favorite:
    id: int
    status_id: int
    created_at: datetime


async def add(db: Database, account: Account, status_id: int) -> StatusBundle:
    async with db.write() as conn:
        status = await visible(conn, account, status_id)
        if not await store.favorite(conn, account.id, status.id, clock.now()):
            raise Unprocessable(
                "The note has already been marked as a favorite.", code="ALREADY_FAVORITED"
            )
        return await bundle(conn, account.id, [status])


async def remove(db: Database, account: Account, status_id: int) -> StatusBundle:
    async with db.write() as conn:
        status = await visible(conn, account, status_id)
        if not await store.unfavorite(conn, account.id, status.id):
            raise Unprocessable("You have not marked that note a favorite.", code="NOT_FAVORITED")
        return await bundle(conn, account.id, [status])


async def toggle_bookmark(db: Database, account: Account, status_id: int, on: bool) -> StatusBundle:
    """Mastodon's bookmark and unbookmark: the same favorites, but repeating is no error."""
    async with db.write() as conn:
        status = await visible(conn, account, status_id)
        if on:
            await store.favorite(conn, account.id, status.id, clock.now())
        else:
            await store.unfavorite(conn, account.id, status.id)
        return await bundle(conn, account.id, [status])


async def page(db: Database, account: Account, window: Page) -> tuple[list[Favorite], StatusBundle]:
    async with db.read() as conn:
        rows = await store.favorites_page(conn, account.id, window)
        found = await status_store.get_many(conn, [r.status_id for r in rows])
        kept = [r for r in rows if r.status_id in found]
        favs = [Favorite(r.id, r.status_id, r.created_at) for r in kept]
        return favs, await bundle(conn, account.id, [found[f.status_id] for f in favs])
