"""expire_mute: lift a timed mute when its time is up."""

from __future__ import annotations

from tandem.core import relationships
from tandem.jobs.worker import JobContext


async def expire_mute(ctx: JobContext) -> None:
    await relationships.expire_mute(
        ctx.services.db, ctx.payload["account_id"], ctx.payload["target_account_id"]
    )
