"""publish_scheduled_status: post a scheduled status at its time."""

from __future__ import annotations

from tandem.core import scheduled_statuses
from tandem.jobs.worker import JobContext


async def publish_scheduled_status(ctx: JobContext) -> None:
    services = ctx.services
    await scheduled_statuses.publish(
        services.db, services.settings, int(ctx.payload["scheduled_status_id"])
    )
