"""/api/v1/instance/{activity,extended_description,languages,translation_languages,
privacy_policy,terms_of_service}, and `HEAD /` (clients read the server's time from its Date
header). Peers and rules live with the instance itself (routes/instance.py)."""

from __future__ import annotations

from html import escape

from starlette.responses import Response

from tandem.api.mastodon.endpoint import Ctx, MastodonError, routes
from tandem.api.mastodon.entities import instance_page_types as p
from tandem.core import instance_pages
from tandem.core.i18n import Text, render

# The description and policies come from the configuration, not from a saved document:
# the epoch stands for "never edited".
_NEVER = "1970-01-01T00:00:00.000Z"


@routes("HEAD", "/", auth="none")
async def head_root(ctx: Ctx) -> Response:
    return Response(status_code=200, media_type="text/html")


@routes("GET", "/api/v1/instance/activity", auth="none", cache_public=True)
async def activity(ctx: Ctx) -> list[p.Activity]:
    return [
        {
            "week": str(int(w.start.timestamp())),
            "statuses": str(w.statuses),
            "logins": str(w.logins),
            "registrations": str(w.registrations),
        }
        for w in await instance_pages.activity(ctx.db)
    ]


@routes("GET", "/api/v1/instance/extended_description", auth="none", cache_public=True)
async def extended_description(ctx: Ctx) -> p.Page:
    text = ctx.settings.instance_description
    return {"updated_at": _NEVER, "content": f"<p>{escape(text)}</p>" if text else ""}


@routes("GET", "/api/v1/instance/languages", auth="none", cache_public=True)
async def languages(ctx: Ctx) -> list[p.Language]:
    return [{"code": code, "name": name} for code, name in instance_pages.languages()]


@routes("GET", "/api/v1/instance/translation_languages", auth="none", cache_public=True)
async def translation_languages(ctx: Ctx) -> dict[str, list[str]]:
    return {}  # no translation service is configured


@routes("GET", "/api/v1/instance/privacy_policy", auth="none", cache_public=True)
async def privacy_policy(ctx: Ctx) -> p.Page:
    policy = Text(
        "{title} keeps what you post and the data needed to run your account. "
        "Ask {contact} about your data.",
        title=escape(ctx.settings.instance_title),
        contact=escape(ctx.settings.contact_email or ctx.settings.mail_from),
    )
    return {"updated_at": _NEVER, "content": f"<p>{render(policy, ctx.locale())}</p>"}


@routes("GET", "/api/v1/instance/terms_of_service", auth="none", cache_public=True)
async def terms_of_service(ctx: Ctx) -> p.Page:
    raise MastodonError(404, "Record not found")  # none published (Mastodon's answer then)
