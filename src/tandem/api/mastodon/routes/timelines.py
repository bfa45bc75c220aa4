"""/api/v1/timelines: home, public, tag, list and link."""

from __future__ import annotations

from tandem.api.mastodon import filtering, pagination
from tandem.api.mastodon.endpoint import Ctx, MastodonError, routes
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.statuses import statuses
from tandem.api.mastodon.views import bundle_render
from tandem.core import preview_cards, timelines
from tandem.core.models import Page
from tandem.core.scopes import accepts
from tandem.core.statuses import StatusBundle

READ_STATUSES = accepts("read:statuses")
READ_LISTS = accepts("read:lists")
_PUBLIC_KEYS = ("local", "remote", "only_media")


async def _answer(
    ctx: Ctx,
    path: str,
    page: Page,
    bundle: StatusBundle,
    keep: tuple[str, ...] = (),
    *,
    context: str = "public",
) -> list[t.Status]:
    pagination.set_links(
        ctx, path, [s.id for s in bundle.statuses], page.limit, prev_key="min_id", keep=keep
    )
    shown = statuses(bundle, await bundle_render(ctx, bundle))
    return await filtering.apply(ctx, bundle, shown, context)


def _shown(ctx: Ctx, *, with_replies: bool = False) -> timelines.Shown:
    p = ctx.params
    local, remote = p.flag("local"), p.flag("remote")
    return timelines.Shown(
        local=True if local and not remote else (False if remote and not local else None),
        only_media=p.flag("only_media"),
        with_replies=with_replies,
    )


@routes("GET", "/api/v1/timelines/home", scopes=READ_STATUSES)
async def home(ctx: Ctx) -> list[t.Status]:
    page = pagination.page(ctx, pagination.STATUSES_LIMIT)
    bundle = await timelines.home(ctx.db, ctx.account, page)
    return await _answer(ctx, "/api/v1/timelines/home", page, bundle, context="home")


@routes("GET", "/api/v1/timelines/public", scopes=READ_STATUSES, auth="optional")
async def public(ctx: Ctx) -> list[t.Status]:
    page = pagination.page(ctx, pagination.STATUSES_LIMIT)
    bundle = await timelines.public(ctx.db, ctx.viewer, page, _shown(ctx))
    return await _answer(ctx, "/api/v1/timelines/public", page, bundle, _PUBLIC_KEYS)


def _tag_names(ctx: Ctx, name: str) -> list[str]:
    found = ctx.params.strings(name) or []
    return [n.strip().lstrip("#") for n in found if n.strip().lstrip("#")][:4]


@routes("GET", "/api/v1/timelines/tag/{hashtag}", scopes=READ_STATUSES, auth="optional")
async def tag(ctx: Ctx) -> list[t.Status]:
    name = str(ctx.request.path_params.get("hashtag", "")).strip().lstrip("#")
    if not name:
        raise MastodonError(404, "Record not found")
    page = pagination.page(ctx, pagination.STATUSES_LIMIT)
    tags = timelines.Tagged(
        any_of=[name, *_tag_names(ctx, "any")],
        all_of=_tag_names(ctx, "all"),
        none_of=_tag_names(ctx, "none"),
    )
    bundle = await timelines.tag(ctx.db, ctx.viewer, page, _shown(ctx, with_replies=True), tags)
    return await _answer(ctx, f"/api/v1/timelines/tag/{name}", page, bundle, _PUBLIC_KEYS)


@routes("GET", "/api/v1/timelines/list/{id:int}", scopes=READ_LISTS)
async def list_timeline(ctx: Ctx) -> list[t.Status]:
    list_id = ctx.path_id()
    page = pagination.page(ctx, pagination.STATUSES_LIMIT)
    bundle = await timelines.of_list(ctx.db, ctx.account, list_id, page)
    return await _answer(ctx, f"/api/v1/timelines/list/{list_id}", page, bundle, context="home")


@routes("GET", "/api/v1/timelines/link", scopes=READ_STATUSES, auth="optional")
async def link(ctx: Ctx) -> list[t.Status]:
    # Mastodon serves this only for a URL whose preview card trends (404 otherwise); tandem
    # has no link trends and serves it for any URL it holds a preview card of: the public
    # statuses showing that card, newest first. A URL without a card answers 404.
    url = (ctx.params.text("url") or "").strip()
    if not url:
        raise MastodonError(422, "Validation failed: url can't be blank")
    page = pagination.page(ctx, pagination.STATUSES_LIMIT)
    bundle = await preview_cards.link_timeline(ctx.db, ctx.viewer, url, page)
    if bundle is None:
        raise MastodonError(404, "Record not found: no preview card has this url")
    return await _answer(ctx, "/api/v1/timelines/link", page, bundle, ("url",))
