"""/api/v1/custom_emojis: the server's custom emoji (managed with `tandem emoji …`)."""

from __future__ import annotations

from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import types as t
from tandem.core import custom_emojis, urls


@routes("GET", "/api/v1/custom_emojis", auth="none", cache_public=True)
async def index(ctx: Ctx) -> list[t.CustomEmoji]:
    return [
        {
            "shortcode": e.shortcode,
            "url": urls.file_url(ctx.settings, e.image.path),
            "static_url": urls.file_url(ctx.settings, e.image.static_path or e.image.path),
            "visible_in_picker": e.visible_in_picker,
            "category": e.category,
        }
        for e in await custom_emojis.listed(ctx.db)
    ]
