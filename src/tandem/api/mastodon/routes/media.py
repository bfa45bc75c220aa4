"""Media uploads: POST /api/v2/media (and the older v1), GET/PUT /api/v1/media/:id."""

from __future__ import annotations

from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.statuses import media_attachment
from tandem.core import media
from tandem.core.scopes import accepts

WRITE_MEDIA = accepts("write:media")


async def _upload(ctx: Ctx) -> t.MediaAttachment:
    p = ctx.params
    created = await media.upload(
        ctx.db,
        ctx.settings,
        ctx.files,
        ctx.account,
        p.upload("file"),
        description=p.text("description"),
        focus=p.text("focus"),
    )
    return media_attachment(ctx.settings, created)


for version in ("v1", "v2"):
    routes("POST", f"/api/{version}/media", scopes=WRITE_MEDIA, throttles=("api_media",))(_upload)


@routes("GET", "/api/v1/media/{id:int}", scopes=WRITE_MEDIA)
async def show(ctx: Ctx) -> t.MediaAttachment:
    return media_attachment(ctx.settings, await media.get_own(ctx.db, ctx.account, ctx.path_id()))


@routes("PATCH", "/api/v1/media/{id:int}", scopes=WRITE_MEDIA)  # Rails `resources`: PATCH or PUT
@routes("PUT", "/api/v1/media/{id:int}", scopes=WRITE_MEDIA)
async def update(ctx: Ctx) -> t.MediaAttachment:
    updated = await media.update(
        ctx.db,
        ctx.account,
        ctx.path_id(),
        description=ctx.params.text("description"),
        focus=ctx.params.text("focus"),
    )
    return media_attachment(ctx.settings, updated)
