"""Quotes of a status (Mastodon 4.5): the list its author sees, revoking one, and the
status's quote policy (`PUT …/interaction_policy`)."""

from __future__ import annotations

from tandem.api.mastodon import pagination
from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.statuses import status
from tandem.api.mastodon.views import bundle_render, first_status
from tandem.core import quotes
from tandem.core.scopes import accepts

WRITE = accepts("write:statuses")


@routes("GET", "/api/v1/statuses/{id:int}/quotes", scopes=accepts("read:statuses"))
async def index(ctx: Ctx) -> list[t.Status]:
    page = pagination.page(ctx, pagination.STATUSES_LIMIT)
    status_id = ctx.path_id()
    bundle = await quotes.of_status(ctx.db, ctx.account, status_id, page)
    pagination.set_links(
        ctx, f"/api/v1/statuses/{status_id}/quotes", [s.id for s in bundle.statuses], page.limit
    )
    r = await bundle_render(ctx, bundle)
    return [status(s, bundle, r) for s in bundle.statuses]


@routes("POST", "/api/v1/statuses/{id:int}/quotes/{quoting_status_id:int}/revoke", scopes=WRITE)
async def revoke(ctx: Ctx) -> t.Status:
    bundle = await quotes.revoke(
        ctx.db, ctx.account, ctx.path_id(), ctx.path_id("quoting_status_id")
    )
    return await first_status(ctx, bundle)


@routes("PUT", "/api/v1/statuses/{id:int}/interaction_policy", scopes=WRITE)
async def interaction_policy(ctx: Ctx) -> t.Status:
    policy = ctx.params.text("quote_approval_policy") or ""
    bundle = await quotes.set_policy(ctx.db, ctx.account, ctx.path_id(), policy)
    return await first_status(ctx, bundle)
