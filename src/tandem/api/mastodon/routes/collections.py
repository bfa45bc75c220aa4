"""Your blocks, mutes, endorsements and incoming follow requests."""

from __future__ import annotations

from typing import Any

from tandem.api.mastodon import pagination
from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import accounts as entities
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.accounts import relationship
from tandem.api.mastodon.views import accounts_json, render
from tandem.core import follow_requests, relationships
from tandem.core.scopes import accepts


async def _listed(ctx: Ctx, kind: str, path: str) -> list[tuple[int, Any, dict[str, Any]]]:
    page = pagination.page(ctx, pagination.ACCOUNTS_LIMIT, with_min_id=False)
    rows = await relationships.listed(ctx.db, ctx.account, kind, page)
    pagination.set_links(ctx, path, [c for c, _, _ in rows], page.limit)
    return rows


@routes("GET", "/api/v1/blocks", scopes=accepts("read:blocks", legacy_follow=True))
async def blocks(ctx: Ctx) -> list[t.Account]:
    rows = await _listed(ctx, "blocks", "/api/v1/blocks")
    return await accounts_json(ctx, [a for _, a, _ in rows])


@routes("GET", "/api/v1/mutes", scopes=accepts("read:mutes", legacy_follow=True))
async def mutes(ctx: Ctx) -> list[t.MutedAccount]:
    rows = await _listed(ctx, "mutes", "/api/v1/mutes")
    r = await render(ctx, [a for _, a, _ in rows])
    return [entities.muted_account(a, row["expires_at"], r) for _, a, row in rows]


@routes("GET", "/api/v1/endorsements", scopes=accepts("read:accounts"))
async def endorsements(ctx: Ctx) -> list[t.Account]:
    rows = await _listed(ctx, "endorsements", "/api/v1/endorsements")
    return await accounts_json(ctx, [a for _, a, _ in rows])


@routes("GET", "/api/v1/follow_requests", scopes=accepts("read:follows", legacy_follow=True))
async def pending_requests(ctx: Ctx) -> list[t.Account]:
    rows = await _listed(ctx, "follow_requests", "/api/v1/follow_requests")
    return await accounts_json(ctx, [a for _, a, _ in rows])


@routes(
    "POST",
    "/api/v1/follow_requests/{id:int}/authorize",
    scopes=accepts("write:follows", legacy_follow=True),
)
async def authorize(ctx: Ctx) -> t.Relationship:
    return relationship(await follow_requests.authorize(ctx.db, ctx.account, ctx.path_id()))


@routes(
    "POST",
    "/api/v1/follow_requests/{id:int}/reject",
    scopes=accepts("write:follows", legacy_follow=True),
)
async def reject(ctx: Ctx) -> t.Relationship:
    return relationship(await follow_requests.reject(ctx.db, ctx.account, ctx.path_id()))
