"""Media uploads: POST /api/v2/media (and the older v1), GET/PUT /api/v1/media/:id.

As Mastodon: v1 converts a video or audio file before it answers (200); v2 leaves that to a job
and answers 202 with `url: null` (200 when the file was ready at once, as images are). GET and
PUT answer 206 while the file is processed, 200 after, and 422 when its conversion failed.
Mastodon has no v2 route but POST.
"""

from __future__ import annotations

from starlette.responses import Response

from tandem.api.http import JSON
from tandem.api.mastodon.endpoint import Ctx, MastodonError, routes
from tandem.api.mastodon.entities.statuses import media_attachment
from tandem.core import media
from tandem.core.models import MediaAttachment
from tandem.core.scopes import accepts

WRITE_MEDIA = accepts("write:media")


def _answer(ctx: Ctx, found: MediaAttachment, waiting: int) -> Response:
    if found.processing == "failed":
        raise MastodonError(422, media.PROCESSING_FAILED)
    status = 200 if found.processed else waiting
    return JSON(media_attachment(ctx.settings, found), status_code=status)


async def _upload(ctx: Ctx, later: bool) -> Response:
    p = ctx.params
    created = await media.upload(
        ctx.db,
        ctx.settings,
        ctx.files,
        ctx.account,
        p.upload("file"),
        description=p.text("description"),
        focus=p.text("focus"),
        thumbnail=p.upload("thumbnail"),
        later=later,
    )
    return _answer(ctx, created, 202)


@routes("POST", "/api/v1/media", scopes=WRITE_MEDIA, throttles=("api_media",))
async def upload_v1(ctx: Ctx) -> Response:
    return await _upload(ctx, later=False)


@routes("POST", "/api/v2/media", scopes=WRITE_MEDIA, throttles=("api_media",))
async def upload_v2(ctx: Ctx) -> Response:
    return await _upload(ctx, later=True)


@routes("GET", "/api/v1/media/{id:int}", scopes=WRITE_MEDIA)
async def show(ctx: Ctx) -> Response:
    return _answer(ctx, await media.get_own(ctx.db, ctx.account, ctx.path_id()), 206)


@routes("PATCH", "/api/v1/media/{id:int}", scopes=WRITE_MEDIA)  # Rails `resources`: PATCH or PUT
@routes("PUT", "/api/v1/media/{id:int}", scopes=WRITE_MEDIA)
async def update(ctx: Ctx) -> Response:
    updated = await media.update(
        ctx.db,
        ctx.account,
        ctx.path_id(),
        description=ctx.params.text("description"),
        focus=ctx.params.text("focus"),
        settings=ctx.settings,
        files=ctx.files,
        thumbnail=ctx.params.upload("thumbnail"),
    )
    return _answer(ctx, updated, 206)
