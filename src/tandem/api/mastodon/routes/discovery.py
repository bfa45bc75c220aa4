"""What clients load on start besides timelines: trends, follow suggestions, the profile
directory, the user's domain blocks, and resending the confirmation mail."""

from __future__ import annotations

from typing import Never

from tandem.api.mastodon import pagination
from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import instance_page_types as p
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.accounts import account
from tandem.api.mastodon.entities.search_types import StoredTag
from tandem.api.mastodon.entities.tags import history
from tandem.api.mastodon.views import accounts_json, render
from tandem.core import domain_blocks, email_confirmations, hashtags, suggestions, urls
from tandem.core.ids import parse_id
from tandem.core.scopes import accepts

READ_ACCOUNTS = accepts("read:accounts")
WRITE_ACCOUNTS = accepts("write:accounts")
DOMAIN_BLOCKS_LIMIT = 100
TRENDS_LIMIT = 20
TRENDS_DEFAULT = 10


# Trending statuses and links are not measured yet: nothing trends there.
@routes("GET", "/api/v1/trends", auth="optional")
async def trends(ctx: Ctx) -> list[StoredTag]:
    """The old name of /api/v1/trends/tags."""
    return await _trending_tags(ctx)


@routes("GET", "/api/v1/trends/tags", auth="optional")
async def trending_tags(ctx: Ctx) -> list[StoredTag]:
    return await _trending_tags(ctx)


async def _trending_tags(ctx: Ctx) -> list[StoredTag]:
    """The tags most accounts use this hour (the ranking Misskey's hashtags/trend shows)."""
    limit = ctx.params.limit(TRENDS_DEFAULT, TRENDS_LIMIT)
    offset = max(ctx.params.integer("offset") or 0, 0)
    found = await hashtags.trending(ctx.db, limit, offset)
    return [
        {
            "id": str(tag.id),
            "name": tag.display_name,
            "url": urls.tag_url(ctx.settings, tag.name),
            "history": history(days),
        }
        for tag, days in found
    ]


@routes("GET", "/api/v1/trends/statuses", auth="optional")
async def trending_statuses(ctx: Ctx) -> list[Never]:
    return []


@routes("GET", "/api/v1/trends/links", auth="optional")
async def trending_links(ctx: Ctx) -> list[Never]:
    return []


def _limit(ctx: Ctx) -> int:
    return ctx.params.limit(suggestions.LIMIT, suggestions.MAX_LIMIT)


@routes("GET", "/api/v1/suggestions", scopes=READ_ACCOUNTS)
async def suggested_accounts(ctx: Ctx) -> list[t.Account]:
    found = await suggestions.suggest(ctx.db, ctx.account, _limit(ctx))
    return await accounts_json(ctx, [s.account for s in found])


@routes("GET", "/api/v2/suggestions", scopes=READ_ACCOUNTS)
async def suggested(ctx: Ctx) -> list[p.Suggestion]:
    found = await suggestions.suggest(ctx.db, ctx.account, _limit(ctx))
    r = await render(ctx, [s.account for s in found])
    return [
        {
            # the deprecated single source: "global" for popularity, "past_interactions" else
            "source": "global" if "most_followed" in s.sources else "past_interactions",
            "sources": list(s.sources),
            "account": account(s.account, r),
        }
        for s in found
    ]


@routes("DELETE", "/api/v1/suggestions/{id}", scopes=WRITE_ACCOUNTS)
async def dismiss_suggestion(ctx: Ctx) -> t.Empty:
    target = parse_id(ctx.request.path_params["id"])
    if target is not None:
        await suggestions.dismiss(ctx.db, ctx.account, target)
    return {}


@routes("GET", "/api/v1/directory", auth="optional")
async def directory(ctx: Ctx) -> list[t.Account]:
    q = ctx.params
    offset = q.integer("offset") or 0
    found = await suggestions.directory(
        ctx.db,
        order=q.text("order") or "active",
        offset=max(0, offset),
        limit=q.limit(suggestions.LIMIT, suggestions.MAX_LIMIT),
    )
    return await accounts_json(ctx, found)


@routes("GET", "/api/v1/domain_blocks", scopes=accepts("read:blocks", legacy_follow=True))
async def blocked_domains(ctx: Ctx) -> list[str]:
    page = pagination.page(ctx, DOMAIN_BLOCKS_LIMIT)
    found = await domain_blocks.page(ctx.db, ctx.account, page)
    pagination.set_links(ctx, "/api/v1/domain_blocks", [i for i, _ in found], page.limit)
    return [domain for _, domain in found]


@routes("POST", "/api/v1/domain_blocks", scopes=accepts("write:blocks", legacy_follow=True))
async def block_domain(ctx: Ctx) -> t.Empty:
    await domain_blocks.block(ctx.db, ctx.account, ctx.params.text("domain"))
    return {}


@routes("DELETE", "/api/v1/domain_blocks", scopes=accepts("write:blocks", legacy_follow=True))
async def unblock_domain(ctx: Ctx) -> t.Empty:
    await domain_blocks.unblock(ctx.db, ctx.account, ctx.params.text("domain"))
    return {}


# A token of an unconfirmed user is enough here (that is who asks for the mail again).
@routes("POST", "/api/v1/emails/confirmations", scopes=WRITE_ACCOUNTS, auth="token")
async def resend_confirmation(ctx: Ctx) -> t.Empty:
    assert ctx.principal is not None
    await email_confirmations.resend(ctx.db, ctx.settings, ctx.principal, ctx.params.text("email"))
    return {}
