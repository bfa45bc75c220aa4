"""Home feed upkeep: big fan-outs, merging or purging after a relationship changes,
rebuilding a Redis feed that went missing, and cutting the table's feeds to their cap."""

from __future__ import annotations

from tandem.core import home_feeds
from tandem.jobs.worker import JobContext


async def fan_out(ctx: JobContext) -> None:
    await home_feeds.fan_out(ctx.services.db, int(ctx.payload["status_id"]))


async def sync(ctx: JobContext) -> None:
    await home_feeds.sync(
        ctx.services.db, int(ctx.payload["account_id"]), int(ctx.payload["target_account_id"])
    )


async def regenerate(ctx: JobContext) -> None:
    await home_feeds.regenerate(ctx.services.db, int(ctx.payload["account_id"]))


async def prune(ctx: JobContext) -> None:
    await home_feeds.prune(ctx.services.db)
