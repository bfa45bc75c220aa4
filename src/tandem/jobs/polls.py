"""end_poll: when a poll's time is up, tell its voters and its author (once)."""

from __future__ import annotations

from tandem.core import polls
from tandem.jobs.worker import JobContext


async def end_poll(ctx: JobContext) -> None:
    await polls.end(ctx.services.db, int(ctx.payload["poll_id"]))
