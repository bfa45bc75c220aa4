"""GET /api/v2/search: accounts, statuses the caller may see, and hashtags."""

from __future__ import annotations

from tandem.api import remote_lookup
from tandem.api.mastodon.endpoint import Ctx, MastodonError, routes
from tandem.api.mastodon.entities.search_types import Search, StoredTag
from tandem.api.mastodon.entities.statuses import statuses
from tandem.api.mastodon.entities.tags import history
from tandem.api.mastodon.views import accounts_json, bundle_render
from tandem.core import hashtags, search
from tandem.core import statuses as status_core
from tandem.core.hashtags import Day
from tandem.core.models import Account, Page
from tandem.core.scopes import accepts
from tandem.core.urls import tag_url

READ_SEARCH = accepts("read:search")
RESULTS_LIMIT = 20


def _tag(ctx: Ctx, hit: search.TagHit, days: list[Day]) -> StoredTag:
    tag: StoredTag = {
        "id": str(hit.id),
        "name": hit.name,
        "url": tag_url(ctx.settings, hit.name),
        "history": history(days),
    }
    if ctx.viewer is not None:
        tag["following"] = hit.following
        tag["featuring"] = hit.featuring
    return tag


def _kinds(value: str | None) -> tuple[search.Kind, ...]:
    if not value:
        return search.KINDS
    return tuple(k for k in search.KINDS if k == value)  # an unknown type finds nothing


@routes("GET", "/api/v2/search", scopes=READ_SEARCH, auth="optional")
async def v2_search(ctx: Ctx) -> Search:
    p = ctx.params
    text = p.text("q")
    if not text or not text.strip():
        raise MastodonError(400, "param is missing or the value is empty: q")
    if ctx.viewer is None:
        if p.text("offset"):
            raise MastodonError(
                401, "Search queries pagination is not supported without authentication"
            )
        if p.flag("resolve"):
            raise MastodonError(
                401,
                "Search queries that resolve remote resources are not supported without "
                "authentication",
            )
    limit = p.limit(RESULTS_LIMIT)
    found = await search.search(
        ctx.db,
        ctx.settings,
        ctx.viewer,
        search.Query(
            text=text,
            kinds=_kinds(p.text("type")),
            limit=limit,
            offset=max(p.integer("offset") or 0, 0),
            following=p.flag("following"),
            account_id=p.id("account_id"),
            page=Page(limit=limit, max_id=p.id("max_id"), min_id=p.id("min_id")),
        ),
    )
    found_accounts, found_statuses = list(found.accounts), found.statuses
    if p.flag("resolve") and ctx.viewer is not None:
        account, status_id = await _resolved(ctx, text)
        if account is not None and "accounts" in _kinds(p.text("type")):
            found_accounts = [account, *(a for a in found_accounts if a.id != account.id)]
        if status_id is not None and "statuses" in _kinds(p.text("type")):
            shown = await status_core.show(ctx.db, ctx.viewer, status_id)
            found_statuses = shown if not found_statuses.statuses else found_statuses
    days = await hashtags.history(ctx.db, [h.id for h in found.hashtags])
    return {
        "accounts": await accounts_json(ctx, found_accounts),
        "statuses": statuses(found_statuses, await bundle_render(ctx, found_statuses)),
        "hashtags": [_tag(ctx, h, days[h.id]) for h in found.hashtags],
    }


async def _resolved(ctx: Ctx, text: str) -> tuple[Account | None, int | None]:
    """resolve=true: what a remote handle or URL names, fetched through federation."""
    query = text.strip()
    if remote_lookup.looks_like_url(query):
        return await remote_lookup.by_url(ctx.db, ctx.settings, query)
    return await remote_lookup.handle_in(ctx.db, ctx.settings, query), None
