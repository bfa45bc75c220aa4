"""account_move_followers: an account moved; its followers here follow the new one."""

from __future__ import annotations

from tandem.core import account_moves
from tandem.jobs.worker import JobContext


async def carry_followers(ctx: JobContext) -> None:
    await account_moves.carry_followers(
        ctx.services.db, int(ctx.payload["old_id"]), int(ctx.payload["new_id"])
    )
