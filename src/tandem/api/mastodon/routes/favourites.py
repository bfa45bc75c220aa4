"""Favourites (Misskey reactions: a favourite is the default one) and who favourited or
boosted a status."""

from __future__ import annotations

from tandem.api.mastodon import pagination
from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.statuses import status
from tandem.api.mastodon.views import accounts_json, bundle_render, first_status
from tandem.core import reactions
from tandem.core.scopes import accepts

WRITE = accepts("write:favourites")
READ_ACCOUNTS = accepts("read:accounts")


@routes("POST", "/api/v1/statuses/{id:int}/favourite", scopes=WRITE)
async def favourite(ctx: Ctx) -> t.Status:
    bundle = await reactions.react(ctx.db, ctx.account, ctx.path_id())
    return await first_status(ctx, bundle)


@routes("POST", "/api/v1/statuses/{id:int}/unfavourite", scopes=WRITE)
async def unfavourite(ctx: Ctx) -> t.Status:
    bundle = await reactions.unreact(ctx.db, ctx.account, ctx.path_id())
    return await first_status(ctx, bundle)


@routes("GET", "/api/v1/favourites", scopes=accepts("read:favourites"))
async def index(ctx: Ctx) -> list[t.Status]:
    page = pagination.page(ctx, pagination.STATUSES_LIMIT)
    cursors, bundle = await reactions.favourites(ctx.db, ctx.account, page)
    pagination.set_links(ctx, "/api/v1/favourites", cursors, page.limit, prev_key="min_id")
    r = await bundle_render(ctx, bundle)
    return [status(s, bundle, r) for s in bundle.statuses]


@routes("GET", "/api/v1/statuses/{id:int}/favourited_by", scopes=READ_ACCOUNTS, auth="optional")
async def favourited_by(ctx: Ctx) -> list[t.Account]:
    status_id = ctx.path_id()
    page = pagination.page(ctx, pagination.ACCOUNTS_LIMIT)
    found = await reactions.on_status(ctx.db, ctx.viewer, status_id, page)
    pagination.set_links(
        ctx, f"/api/v1/statuses/{status_id}/favourited_by", [f.id for f in found], page.limit
    )
    return await accounts_json(ctx, [f.account for f in found])


@routes("GET", "/api/v1/statuses/{id:int}/reblogged_by", scopes=READ_ACCOUNTS, auth="optional")
async def reblogged_by(ctx: Ctx) -> list[t.Account]:
    status_id = ctx.path_id()
    page = pagination.page(ctx, pagination.ACCOUNTS_LIMIT)
    found = await reactions.rebloggers(ctx.db, ctx.viewer, status_id, page)
    pagination.set_links(
        ctx, f"/api/v1/statuses/{status_id}/reblogged_by", [i for i, _ in found], page.limit
    )
    return await accounts_json(ctx, [a for _, a in found])
