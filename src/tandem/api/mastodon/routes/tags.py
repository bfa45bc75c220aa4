"""/api/v1/tags/:name (follow, unfollow, feature, unfeature) and /api/v1/followed_tags."""

from __future__ import annotations

from tandem.api.mastodon import pagination
from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities.tag_types import TagWithState
from tandem.api.mastodon.entities.tags import history
from tandem.core import followed_tags, hashtags, urls
from tandem.core.hashtags import Day
from tandem.core.ids import new_id
from tandem.core.models import TagView
from tandem.core.scopes import accepts

FOLLOWED_LIMIT = 100


def _tag(ctx: Ctx, tag: TagView, days: list[Day]) -> TagWithState:
    # A name no status used yet has no row: Mastodon shows it with an id all the same.
    return {
        "id": str(tag.id if tag.id is not None else new_id()),
        "name": tag.name,
        "url": urls.tag_url(ctx.settings, tag.name.lower()),
        "history": history(days),
        "following": tag.following,
        "featuring": tag.featuring,
    }


async def _one(ctx: Ctx, tag: TagView) -> TagWithState:
    days = await hashtags.history(ctx.db, [tag.id] if tag.id is not None else [])
    return _tag(ctx, tag, days.get(tag.id or 0, hashtags.quiet_week()))


def _name(ctx: Ctx) -> str:
    return str(ctx.request.path_params["name"])


@routes("GET", "/api/v1/tags/{name}", auth="optional")
async def show(ctx: Ctx) -> TagWithState:
    return await _one(ctx, await followed_tags.show(ctx.db, ctx.viewer, _name(ctx)))


@routes("POST", "/api/v1/tags/{name}/follow", scopes=accepts("write:follows", legacy_follow=True))
async def follow(ctx: Ctx) -> TagWithState:
    return await _one(ctx, await followed_tags.follow(ctx.db, ctx.account, _name(ctx)))


@routes("POST", "/api/v1/tags/{name}/unfollow", scopes=accepts("write:follows", legacy_follow=True))
async def unfollow(ctx: Ctx) -> TagWithState:
    return await _one(ctx, await followed_tags.follow(ctx.db, ctx.account, _name(ctx), on=False))


@routes("POST", "/api/v1/tags/{name}/feature", scopes=accepts("write:accounts"))
async def feature(ctx: Ctx) -> TagWithState:
    found = await followed_tags.feature(ctx.db, ctx.settings, ctx.account, _name(ctx))
    return await _one(ctx, found)


@routes("POST", "/api/v1/tags/{name}/unfeature", scopes=accepts("write:accounts"))
async def unfeature(ctx: Ctx) -> TagWithState:
    found = await followed_tags.feature(ctx.db, ctx.settings, ctx.account, _name(ctx), on=False)
    return await _one(ctx, found)


@routes("GET", "/api/v1/followed_tags", scopes=accepts("read:follows", legacy_follow=True))
async def followed(ctx: Ctx) -> list[TagWithState]:
    page = pagination.page(ctx, FOLLOWED_LIMIT)
    found = await followed_tags.followed(ctx.db, ctx.account, page)
    pagination.set_links(
        ctx, "/api/v1/followed_tags", [t.follow_id or 0 for t in found], page.limit
    )
    days = await hashtags.history(ctx.db, [t.id for t in found if t.id is not None])
    return [_tag(ctx, t, days.get(t.id or 0, hashtags.quiet_week())) for t in found]
