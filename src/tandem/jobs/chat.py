"""chat_new_message: tell recipients who have not read a chat message yet (their main stream,
and their Misskey push subscriptions: `newChatMessage`)."""

from __future__ import annotations

from tandem.core import chat_reads, push
from tandem.jobs.worker import JobContext


async def new_message(ctx: JobContext) -> None:
    db = ctx.services.db
    message_id = int(ctx.payload["message_id"])
    readers = await chat_reads.announce_if_unread(db, message_id)
    await push.chat_message_unread(db, readers, message_id)
