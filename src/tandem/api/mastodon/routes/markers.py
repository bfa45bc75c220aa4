"""/api/v1/markers (where reading stopped, home and notifications) and /api/v1/preferences."""

from __future__ import annotations

from typing import Any

from tandem.api.mastodon.endpoint import Ctx, MastodonError, routes
from tandem.api.mastodon.entities import notification_types as g
from tandem.api.mastodon.entities.notification_types import Preferences
from tandem.api.mastodon.entities.notifications import marker
from tandem.core import markers
from tandem.core.i18n import Text
from tandem.core.ids import parse_id
from tandem.core.profiles import default_privacy
from tandem.core.scopes import accepts


@routes("GET", "/api/v1/markers", scopes=accepts("read:statuses"))
async def index(ctx: Ctx) -> dict[str, g.Marker]:
    wanted = ctx.params.strings("timeline")
    found = await markers.get(ctx.db, ctx.account, wanted)
    return {name: marker(m) for name, m in sorted(found.items())}


@routes("POST", "/api/v1/markers", scopes=accepts("write:statuses"))
async def save(ctx: Ctx) -> dict[str, g.Marker]:
    positions: dict[str, int] = {}
    for timeline in markers.TIMELINES:
        given: Any = ctx.params.mapping(timeline)
        if given is None:
            continue
        found = parse_id(given.get("last_read_id"))
        if found is None:
            wrong = Text("{param} must be an id", param=f"{timeline}[last_read_id]")
            raise MastodonError(422, Text("Validation failed: {errors}", errors=[wrong]))
        positions[timeline] = found
    saved = await markers.save(ctx.db, ctx.account, positions)
    return {name: marker(m) for name, m in sorted(saved.items())}


@routes("GET", "/api/v1/preferences", scopes=accepts("read:accounts"))
async def preferences(ctx: Ctx) -> Preferences:
    settings = ctx.user.settings
    return {
        "posting:default:visibility": default_privacy(ctx.account, ctx.user),
        "posting:default:sensitive": settings.default_sensitive,
        "posting:default:language": settings.default_language,
        "posting:default:quote_policy": settings.default_quote_policy,
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
        "reading:autoplay:gifs": False,
    }
