"""process_media: convert a video, audio or animated GIF that `POST /api/v2/media` queued."""

from __future__ import annotations

from tandem.core import media
from tandem.jobs.worker import JobContext


async def process_media(ctx: JobContext) -> None:
    services = ctx.services
    await media.process_queued(
        services.db, services.settings, services.files, int(ctx.payload["media_id"])
    )
