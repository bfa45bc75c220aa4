"""POST /api/v1/apps and GET /api/v1/apps/verify_credentials."""

from __future__ import annotations

from tandem.api.mastodon.endpoint import Ctx, MastodonError, routes
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.misc import application
from tandem.core import oauth_apps


@routes("POST", "/api/v1/apps", auth="none", throttles=("app_registrations",))
async def create_app(ctx: Ctx) -> t.Application:
    p = ctx.params
    uris = p.raw("redirect_uris")
    scopes_raw = p.raw("scopes")
    app = await oauth_apps.create_application(
        ctx.db,
        name=p.text("client_name"),
        redirect_uris=uris if isinstance(uris, list) else p.text("redirect_uris"),
        scopes_raw=scopes_raw if isinstance(scopes_raw, list) else p.text("scopes"),
        website=p.text("website"),
        owner_account_id=ctx.viewer.id if ctx.viewer else None,
    )
    return application(app, ctx.services.vapid_key, with_secret=True)


@routes("GET", "/api/v1/apps/verify_credentials", auth="token")
async def verify_app(ctx: Ctx) -> t.Application:
    assert ctx.principal is not None
    app = ctx.principal.application
    if app is None:
        raise MastodonError(404, "This token was not issued to an application")
    return application(app, ctx.services.vapid_key, with_secret=False)
