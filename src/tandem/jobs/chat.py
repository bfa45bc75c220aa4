"""chat_new_message: tell recipients who have not read a chat message yet (their main stream)."""

from __future__ import annotations

from tandem.core import chat_reads
from tandem.jobs.worker import JobContext


async def new_message(ctx: JobContext) -> None:
    await chat_reads.announce_if_unread(ctx.services.db, int(ctx.payload["message_id"]))
