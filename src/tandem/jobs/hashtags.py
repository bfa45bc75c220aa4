"""hashtag_prune: forget hashtag activity older than the trend and the history show."""

from __future__ import annotations

from tandem.core import hashtags
from tandem.jobs.worker import JobContext


async def prune(ctx: JobContext) -> None:
    await hashtags.prune(ctx.services.db)
