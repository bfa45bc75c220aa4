"""/api/v1/featured_tags: hashtags featured on your profile."""

from __future__ import annotations

from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.accounts import featured_tag
from tandem.api.mastodon.entities.tags import history
from tandem.core import featured_tags, hashtags, urls
from tandem.core.scopes import accepts


@routes("GET", "/api/v1/featured_tags", scopes=accepts("read:accounts"))
async def index(ctx: Ctx) -> list[t.FeaturedTag]:
    tags = await featured_tags.of_account(ctx.db, ctx.account.id)
    return [featured_tag(ctx.settings, ctx.account, t) for t in tags]


@routes("POST", "/api/v1/featured_tags", scopes=accepts("write:accounts"))
async def create(ctx: Ctx) -> t.FeaturedTag:
    created = await featured_tags.create(ctx.db, ctx.settings, ctx.account, ctx.params.text("name"))
    return featured_tag(ctx.settings, ctx.account, created)


@routes("DELETE", "/api/v1/featured_tags/{id:int}", scopes=accepts("write:accounts"))
async def delete(ctx: Ctx) -> t.Empty:
    await featured_tags.delete(ctx.db, ctx.account, ctx.path_id())
    return {}


@routes("GET", "/api/v1/featured_tags/suggestions", scopes=accepts("read:accounts"))
async def suggestions(ctx: Ctx) -> list[t.Tag]:
    found = await featured_tags.suggestions(ctx.db, ctx.account)
    days = await hashtags.history(ctx.db, [tag_id for tag_id, _ in found])
    return [
        {
            "name": n.lower(),
            "url": urls.tag_url(ctx.settings, n.lower()),
            "history": history(days[i]),
        }
        for i, n in found
    ]
