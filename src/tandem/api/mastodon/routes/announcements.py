"""/api/v1/announcements: the active announcements, dismissing one, and reactions.

As Mastodon: the list and every action need a user (422 without one, whatever the scope
for the list); dismissing needs `write:accounts`, reactions `write:favourites`. The list
holds dismissed announcements too (`read: true`), as Mastodon's server does;
`with_dismissed=false` leaves them out (the parameter Mastodon's documentation names). An
unknown, unpublished, inactive or someone else's announcement is 404; a reaction is a
Unicode emoji or a local custom emoji's shortcode (422 otherwise, and for a ninth distinct
one). Adding a reaction the user already added answers 200 again (a PUT may be repeated).
"""

from __future__ import annotations

from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import announcement_types as at
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.announcements import announcements
from tandem.core import announcements as core
from tandem.core.scopes import accepts

WRITE_ACCOUNTS = accepts("write:accounts")
WRITE_FAVOURITES = accepts("write:favourites")


@routes("GET", "/api/v1/announcements", auth="user_only")
async def index(ctx: Ctx) -> list[at.Announcement]:
    dismissed = ctx.params.boolean("with_dismissed")
    shown = await core.for_mastodon(ctx.db, ctx.account, with_dismissed=dismissed is not False)
    return await announcements(ctx, shown)


@routes("POST", "/api/v1/announcements/{id}/dismiss", scopes=WRITE_ACCOUNTS)
async def dismiss(ctx: Ctx) -> t.Empty:
    await core.read(ctx.db, ctx.account, ctx.path_id(), strict=True)
    return {}


def _name(ctx: Ctx) -> str:
    return str(ctx.request.path_params["name"])  # (decoded already)


@routes("PUT", "/api/v1/announcements/{id}/reactions/{name}", scopes=WRITE_FAVOURITES)
async def react(ctx: Ctx) -> t.Empty:
    await core.react(ctx.db, ctx.account, ctx.path_id(), _name(ctx))
    return {}


@routes("DELETE", "/api/v1/announcements/{id}/reactions/{name}", scopes=WRITE_FAVOURITES)
async def unreact(ctx: Ctx) -> t.Empty:
    await core.unreact(ctx.db, ctx.account, ctx.path_id(), _name(ctx))
    return {}
