"""/api/v1/accounts: registration, lookup, search, and what an account shows publicly."""

from __future__ import annotations

from starlette.responses import Response

from tandem.api import remote_lookup
from tandem.api.http import JSON
from tandem.api.mastodon import filtering, pagination
from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import accounts as entities
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.misc import token, user_list
from tandem.api.mastodon.entities.statuses import statuses
from tandem.api.mastodon.views import account_json, accounts_json, bundle_render
from tandem.core import accounts, featured_tags, lists, registration
from tandem.core import statuses as status_core
from tandem.core.errors import NotFound
from tandem.core.scopes import accepts

READ_ACCOUNTS = accepts("read:accounts")


@routes(
    "POST",
    "/api/v1/accounts",
    scopes=accepts("write:accounts"),
    auth="app",
    throttles=("api_sign_up",),
)
async def register(ctx: Ctx) -> Response:
    p = ctx.params
    assert ctx.principal is not None and ctx.principal.application is not None
    _account, _user, issued = await registration.register(
        ctx.db,
        ctx.settings,
        registration.SignUp(
            username=p.text("username"),
            email=p.text("email"),
            password=p.text("password"),
            agreement=p.raw("agreement"),
            locale=p.text("locale"),
            reason=p.text("reason"),
            invite_code=p.text("invite_code"),
            date_of_birth=p.text("date_of_birth"),
            ip=ctx.ip,
        ),
        ctx.principal.application,
    )
    assert issued is not None
    return JSON(token(issued), headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


@routes("GET", "/api/v1/accounts", scopes=READ_ACCOUNTS, auth="optional")
async def index(ctx: Ctx) -> list[t.Account]:
    return await accounts_json(ctx, await accounts.get_many(ctx.db, ctx.params.ids("id")))


@routes("GET", "/api/v1/accounts/lookup", scopes=READ_ACCOUNTS, auth="optional", cache_public=True)
async def lookup(ctx: Ctx) -> t.Account:
    acct = ctx.params.text("acct")
    try:
        found = await accounts.lookup(ctx.db, ctx.settings, acct)
    except NotFound:
        remote = await remote_lookup.handle_in(ctx.db, ctx.settings, acct or "")
        if remote is None:
            raise
        found = remote
    return await account_json(ctx, found)


@routes("GET", "/api/v1/accounts/search", scopes=READ_ACCOUNTS)
async def search(ctx: Ctx) -> list[t.Account]:
    p = ctx.params
    # resolve: a remote handle is looked up (WebFinger) and comes first.
    resolved = (
        await remote_lookup.handle_in(ctx.db, ctx.settings, p.text("q") or "")
        if p.flag("resolve")
        else None
    )
    found = await accounts.search(
        ctx.db,
        ctx.settings,
        ctx.viewer,
        p.text("q") or "",
        limit=p.limit(pagination.ACCOUNTS_LIMIT),
        offset=max(p.integer("offset") or 0, 0),
        following=p.flag("following"),
    )
    if resolved is not None:
        found = [resolved, *(a for a in found if a.id != resolved.id)]
    return await accounts_json(ctx, found)


@routes(
    "GET",
    "/api/v1/accounts/{id:int}",
    scopes=READ_ACCOUNTS,
    auth="optional",
    cache_public=True,
    replay=True,
)
async def show(ctx: Ctx) -> t.Account:
    return await account_json(ctx, await accounts.get(ctx.db, ctx.path_id()))


@routes(
    "GET",
    "/api/v1/accounts/{id:int}/statuses",
    scopes=accepts("read:statuses"),
    auth="optional",
    cache_public=True,
)
async def account_statuses(ctx: Ctx) -> list[t.Status]:
    p = ctx.params
    account_id = ctx.path_id()
    page = pagination.page(ctx, pagination.STATUSES_LIMIT)
    tagged = p.text("tagged")
    bundle = await status_core.of_account(
        ctx.db,
        ctx.viewer,
        account_id,
        page,
        status_core.AccountStatusesQuery(
            only_media=p.flag("only_media"),
            exclude_replies=p.flag("exclude_replies"),
            exclude_reblogs=p.flag("exclude_reblogs"),
            pinned=p.flag("pinned"),
            tagged=tagged or None,
            exclude_direct=p.flag("exclude_direct"),
        ),
    )
    pagination.set_links(
        ctx,
        f"/api/v1/accounts/{account_id}/statuses",
        [s.id for s in bundle.statuses],
        page.limit,
        prev_key="min_id",
        keep=(
            "pinned",
            "tagged",
            "only_media",
            "exclude_replies",
            "exclude_reblogs",
            "exclude_direct",
        ),
    )
    shown = statuses(bundle, await bundle_render(ctx, bundle))
    return await filtering.apply(ctx, bundle, shown, "account")


async def _collection(ctx: Ctx, which: str) -> list[t.Account]:
    account_id = ctx.path_id()
    page = pagination.page(ctx, pagination.ACCOUNTS_LIMIT, with_min_id=False)
    lister = accounts.followers if which == "followers" else accounts.following
    rows = await lister(ctx.db, ctx.viewer, account_id, page)
    pagination.set_links(
        ctx, f"/api/v1/accounts/{account_id}/{which}", [c for c, _ in rows], page.limit
    )
    return await accounts_json(ctx, [a for _, a in rows])


@routes(
    "GET",
    "/api/v1/accounts/{id:int}/followers",
    scopes=READ_ACCOUNTS,
    auth="optional",
    cache_public=True,
)
async def followers(ctx: Ctx) -> list[t.Account]:
    return await _collection(ctx, "followers")


@routes(
    "GET",
    "/api/v1/accounts/{id:int}/following",
    scopes=READ_ACCOUNTS,
    auth="optional",
    cache_public=True,
)
async def following(ctx: Ctx) -> list[t.Account]:
    return await _collection(ctx, "following")


@routes(
    "GET",
    "/api/v1/accounts/{id:int}/endorsements",
    scopes=READ_ACCOUNTS,
    auth="optional",
    cache_public=True,
)
async def endorsements(ctx: Ctx) -> list[t.Account]:
    account_id = ctx.path_id()
    page = pagination.page(ctx, pagination.ACCOUNTS_LIMIT, with_min_id=False)
    rows = await accounts.endorsed_by(ctx.db, account_id, page)
    pagination.set_links(
        ctx, f"/api/v1/accounts/{account_id}/endorsements", [c for c, _ in rows], page.limit
    )
    return await accounts_json(ctx, [a for _, a in rows])


@routes("GET", "/api/v1/accounts/{id:int}/featured_tags", auth="optional")
async def account_featured_tags(ctx: Ctx) -> list[t.FeaturedTag]:
    owner = await accounts.get(ctx.db, ctx.path_id())
    tags = await featured_tags.of_account(ctx.db, owner.id)
    return [entities.featured_tag(ctx.settings, owner, t) for t in tags]


@routes("GET", "/api/v1/accounts/{id:int}/lists", scopes=accepts("read:lists"))
async def account_lists(ctx: Ctx) -> list[t.List]:
    return [user_list(item) for item in await lists.containing(ctx.db, ctx.account, ctx.path_id())]


@routes("GET", "/api/v1/accounts/{id:int}/identity_proofs", auth="user_only")
async def identity_proofs(ctx: Ctx) -> Response:
    await accounts.get(ctx.db, ctx.path_id())
    # Identity proofs were removed from Mastodon in 3.5; the endpoint stays as an empty list.
    return JSON([], headers={"Deprecation": "@1648598400"})
