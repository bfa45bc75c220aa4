"""Bookmarks: Mastodon's name for the notes Misskey users mark as favorites."""

from __future__ import annotations

from tandem.api.mastodon import pagination
from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.statuses import status
from tandem.api.mastodon.views import bundle_render, first_status
from tandem.core import favorites
from tandem.core.scopes import accepts

WRITE = accepts("write:bookmarks")


@routes("GET", "/api/v1/bookmarks", scopes=accepts("read:bookmarks"))
async def index(ctx: Ctx) -> list[t.Status]:
    page = pagination.page(ctx, pagination.STATUSES_LIMIT)
    found, bundle = await favorites.page(ctx.db, ctx.account, page)
    pagination.set_links(
        ctx, "/api/v1/bookmarks", [f.id for f in found], page.limit, prev_key="min_id"
    )
    r = await bundle_render(ctx, bundle)
    return [status(s, bundle, r) for s in bundle.statuses]


async def _toggle(ctx: Ctx, on: bool) -> t.Status:
    bundle = await favorites.toggle_bookmark(ctx.db, ctx.account, ctx.path_id(), on)
    return await first_status(ctx, bundle)


@routes("POST", "/api/v1/statuses/{id:int}/bookmark", scopes=WRITE)
async def bookmark(ctx: Ctx) -> t.Status:
    return await _toggle(ctx, True)


@routes("POST", "/api/v1/statuses/{id:int}/unbookmark", scopes=WRITE)
async def unbookmark(ctx: Ctx) -> t.Status:
    return await _toggle(ctx, False)
