"""/api/v2/filters (content filters with keywords and statuses) and the read-only v1 view."""

from __future__ import annotations

from typing import Any

from tandem.api.http import BadRequest
from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import filter_types as f
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.filters import content_filter, keyword, status_entry, v1_filters
from tandem.api.mastodon.params import Params
from tandem.core import filters
from tandem.core.errors import NotFound
from tandem.core.filters import UNSET, FilterChange, KeywordChange
from tandem.core.ids import parse_id
from tandem.core.scopes import accepts

READ = accepts("read:filters")
WRITE = accepts("write:filters")


def _keyword_change(p: Params) -> KeywordChange:
    raw_id = p.raw("id")
    keyword_id = None
    if raw_id not in (None, ""):
        keyword_id = parse_id(raw_id)
        if keyword_id is None:
            raise NotFound("filter")
    return KeywordChange(
        id=keyword_id,
        keyword=p.text("keyword"),
        whole_word=p.boolean("whole_word"),
        destroy=p.flag("_destroy"),
    )


def _change(ctx: Ctx) -> FilterChange:
    p = ctx.params
    expires: int | None = None
    if p.has("expires_in"):
        blank = p.raw("expires_in") in (None, "")
        expires = UNSET if blank else p.integer("expires_in")
    items: Any = p.raw("keywords_attributes")
    if isinstance(items, dict):
        items = list(items.values())
    if items is not None and not isinstance(items, list):
        raise BadRequest("keywords_attributes must be a list of keywords")
    keywords = []
    for item in items or []:
        if not isinstance(item, dict):
            raise BadRequest("keywords_attributes must be a list of hashes, like [{keyword: …}]")
        keywords.append(_keyword_change(Params(item)))
    return FilterChange(
        title=p.text("title"),
        context=p.strings("context"),
        filter_action=p.text("filter_action"),
        expires_in=expires,
        keywords=keywords,
    )


@routes("GET", "/api/v2/filters", scopes=READ)
async def index(ctx: Ctx) -> list[f.Filter]:
    return [content_filter(x) for x in await filters.list_for(ctx.db, ctx.account)]


@routes("POST", "/api/v2/filters", scopes=WRITE)
async def create(ctx: Ctx) -> f.Filter:
    return content_filter(await filters.create(ctx.db, ctx.account, _change(ctx)))


@routes("GET", "/api/v2/filters/{id:int}", scopes=READ)
async def show(ctx: Ctx) -> f.Filter:
    return content_filter(await filters.get(ctx.db, ctx.account, ctx.path_id()))


@routes("PUT", "/api/v2/filters/{id:int}", scopes=WRITE)
async def update(ctx: Ctx) -> f.Filter:
    return content_filter(await filters.update(ctx.db, ctx.account, ctx.path_id(), _change(ctx)))


@routes("DELETE", "/api/v2/filters/{id:int}", scopes=WRITE)
async def destroy(ctx: Ctx) -> t.Empty:
    await filters.delete(ctx.db, ctx.account, ctx.path_id())
    return {}


@routes("GET", "/api/v2/filters/{id:int}/keywords", scopes=READ)
async def keywords(ctx: Ctx) -> list[f.FilterKeyword]:
    return [keyword(k) for k in (await filters.get(ctx.db, ctx.account, ctx.path_id())).keywords]


@routes("POST", "/api/v2/filters/{id:int}/keywords", scopes=WRITE)
async def add_keyword(ctx: Ctx) -> f.FilterKeyword:
    change = _keyword_change(Params({**ctx.params.data, "id": None}))
    return keyword(await filters.add_keyword(ctx.db, ctx.account, ctx.path_id(), change))


@routes("GET", "/api/v2/filters/keywords/{id:int}", scopes=READ)
async def show_keyword(ctx: Ctx) -> f.FilterKeyword:
    return keyword(await filters.keyword(ctx.db, ctx.account, ctx.path_id()))


@routes("PUT", "/api/v2/filters/keywords/{id:int}", scopes=WRITE)
async def update_keyword(ctx: Ctx) -> f.FilterKeyword:
    change = _keyword_change(Params({**ctx.params.data, "id": None}))
    return keyword(await filters.change_keyword(ctx.db, ctx.account, ctx.path_id(), change))


@routes("DELETE", "/api/v2/filters/keywords/{id:int}", scopes=WRITE)
async def destroy_keyword(ctx: Ctx) -> t.Empty:
    await filters.remove_keyword(ctx.db, ctx.account, ctx.path_id())
    return {}


@routes("GET", "/api/v2/filters/{id:int}/statuses", scopes=READ)
async def statuses(ctx: Ctx) -> list[f.FilterStatus]:
    found = await filters.get(ctx.db, ctx.account, ctx.path_id())
    return [status_entry(s) for s in found.statuses]


@routes("POST", "/api/v2/filters/{id:int}/statuses", scopes=WRITE)
async def add_status(ctx: Ctx) -> f.FilterStatus:
    status_id = ctx.params.id("status_id")
    if status_id is None:
        raise NotFound("status")
    return status_entry(await filters.add_status(ctx.db, ctx.account, ctx.path_id(), status_id))


@routes("GET", "/api/v2/filters/statuses/{id:int}", scopes=READ)
async def show_status(ctx: Ctx) -> f.FilterStatus:
    return status_entry(await filters.status_entry(ctx.db, ctx.account, ctx.path_id()))


@routes("DELETE", "/api/v2/filters/statuses/{id:int}", scopes=WRITE)
async def destroy_status(ctx: Ctx) -> t.Empty:
    await filters.remove_status(ctx.db, ctx.account, ctx.path_id())
    return {}


@routes("GET", "/api/v1/filters", scopes=READ)
async def v1_index(ctx: Ctx) -> list[f.V1Filter]:
    return [v for x in await filters.list_for(ctx.db, ctx.account) for v in v1_filters(x)]


@routes("GET", "/api/v1/filters/{id:int}", scopes=READ)
async def v1_show(ctx: Ctx) -> f.V1Filter:
    k = await filters.keyword(ctx.db, ctx.account, ctx.path_id())
    found = await filters.get(ctx.db, ctx.account, k.filter_id)
    return next(v for v in v1_filters(found) if v["id"] == str(k.id))
