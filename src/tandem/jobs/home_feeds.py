"""Home feed upkeep: big fan-outs, and merging or purging after a relationship changes."""

from __future__ import annotations

from tandem.core import home_feeds
from tandem.jobs.worker import JobContext


async def fan_out(ctx: JobContext) -> None:
    await home_feeds.fan_out(ctx.services.db, int(ctx.payload["status_id"]))


async def sync(ctx: JobContext) -> None:
    await home_feeds.sync(
        ctx.services.db, int(ctx.payload["account_id"]), int(ctx.payload["target_account_id"])
    )
