"""/api/v1/conversations: direct threads as the caller sees them (paged by last status)."""

from __future__ import annotations

from tandem.api.mastodon import pagination
from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import card_types as c
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.cards import conversation
from tandem.api.mastodon.views import render
from tandem.core import conversations
from tandem.core.scopes import accepts

READ = accepts("read:statuses")
WRITE = accepts("write:conversations")


async def _json(ctx: Ctx, shown: conversations.Conversations) -> list[c.Conversation]:
    r = await render(ctx, shown.accounts.values())
    return [conversation(shown, item, r) for item in shown.conversations]


@routes("GET", "/api/v1/conversations", scopes=READ)
async def index(ctx: Ctx) -> list[c.Conversation]:
    page = pagination.page(ctx, pagination.STATUSES_LIMIT)
    shown = await conversations.page_of(ctx.db, ctx.account, page)
    cursors = [item.last_status_id for item in shown.conversations]
    pagination.set_links(ctx, "/api/v1/conversations", cursors, page.limit, prev_key="min_id")
    return await _json(ctx, shown)


@routes("POST", "/api/v1/conversations/{id:int}/read", scopes=WRITE)
async def read(ctx: Ctx) -> c.Conversation:
    shown = await conversations.mark_read(ctx.db, ctx.account, ctx.path_id())
    return (await _json(ctx, shown))[0]


@routes("DELETE", "/api/v1/conversations/{id:int}", scopes=WRITE)
async def remove(ctx: Ctx) -> t.Empty:
    await conversations.remove(ctx.db, ctx.account, ctx.path_id())
    return {}
