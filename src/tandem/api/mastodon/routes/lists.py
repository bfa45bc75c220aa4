"""/api/v1/lists: lists and their members."""

from __future__ import annotations

from tandem.api.mastodon import pagination
from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.misc import user_list
from tandem.api.mastodon.views import accounts_json
from tandem.core import lists
from tandem.core.models import Page
from tandem.core.scopes import accepts

READ_LISTS = accepts("read:lists")
WRITE_LISTS = accepts("write:lists")


@routes("GET", "/api/v1/lists", scopes=READ_LISTS)
async def index(ctx: Ctx) -> list[t.List]:
    return [user_list(item) for item in await lists.all_of(ctx.db, ctx.account)]


@routes("POST", "/api/v1/lists", scopes=WRITE_LISTS)
async def create(ctx: Ctx) -> t.List:
    p = ctx.params
    created = await lists.create(
        ctx.db,
        ctx.account,
        p.text("title"),
        p.text("replies_policy") or None,
        p.flag("exclusive"),
    )
    return user_list(created)


@routes("GET", "/api/v1/lists/{id:int}", scopes=READ_LISTS)
async def show(ctx: Ctx) -> t.List:
    return user_list(await lists.get(ctx.db, ctx.account, ctx.path_id()))


@routes("PATCH", "/api/v1/lists/{id:int}", scopes=WRITE_LISTS)  # Rails `resources`: PATCH or PUT
@routes("PUT", "/api/v1/lists/{id:int}", scopes=WRITE_LISTS)
async def update(ctx: Ctx) -> t.List:
    p = ctx.params
    updated = await lists.update(
        ctx.db,
        ctx.account,
        ctx.path_id(),
        title=p.text("title"),
        replies_policy=p.text("replies_policy") or None,
        exclusive=p.boolean("exclusive"),
    )
    return user_list(updated)


@routes("DELETE", "/api/v1/lists/{id:int}", scopes=WRITE_LISTS)
async def delete(ctx: Ctx) -> t.Empty:
    await lists.delete(ctx.db, ctx.account, ctx.path_id())
    return {}


@routes("GET", "/api/v1/lists/{id:int}/accounts", scopes=READ_LISTS)
async def members(ctx: Ctx) -> list[t.Account]:
    list_id = ctx.path_id()
    unlimited = ctx.params.text("limit") == "0"
    page = (
        Page(limit=0)
        if unlimited
        else pagination.page(ctx, pagination.ACCOUNTS_LIMIT, with_min_id=False)
    )
    found = await lists.members(ctx.db, ctx.account, list_id, page)
    if not unlimited:
        pagination.set_links(
            ctx, f"/api/v1/lists/{list_id}/accounts", [a.id for a in found], page.limit
        )
    return await accounts_json(ctx, found)


@routes("POST", "/api/v1/lists/{id:int}/accounts", scopes=WRITE_LISTS)
async def add_members(ctx: Ctx) -> t.Empty:
    await lists.add(
        ctx.db, ctx.account, ctx.path_id(), ctx.params.ids("account_ids"), require_follow=True
    )
    return {}


@routes("DELETE", "/api/v1/lists/{id:int}/accounts", scopes=WRITE_LISTS)
async def remove_members(ctx: Ctx) -> t.Empty:
    await lists.remove(ctx.db, ctx.account, ctx.path_id(), ctx.params.ids("account_ids"))
    return {}
