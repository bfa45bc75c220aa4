"""Chat read state: unread markers per conversation and room, and the `newChatMessage`
notice for messages still unread a few seconds after they were sent.

Markers change `MeDetailed.hasUnreadChatMessages`; the store bumps the account's
notification generation with each change, so cached and replayed answers follow.
"""

from __future__ import annotations

from tandem.core import caller_cache
from tandem.core.events import Event, publish
from tandem.core.models import Account
from tandem.store import chat_reads as store
from tandem.store.db import Database


async def mark_read(
    db: Database, account: Account, other_id: int | None = None, room_id: int | None = None
) -> None:
    """The account has read the conversation with `other_id` (or the room `room_id`)."""
    if other_id is None and room_id is None:
        return
    thread = (
        store.user_thread(other_id) if other_id is not None else store.room_thread(room_id or 0)
    )
    await clear_thread(db, account.id, thread)


async def clear_thread(db: Database, account_id: int, thread: str) -> None:
    """Clear one marker; a write only when there is one (a write transaction, and the
    caches it invalidates, on every page a client reads would cost more)."""
    async with db.read() as conn:
        if not await store.unread_threads(conn, account_id, [thread]):
            return
    async with db.write() as conn:
        await store.clear(conn, account_id, thread)


async def read_all(db: Database, account: Account) -> None:
    if not await has_unread(db, account.id):
        return
    async with db.write() as conn:
        await store.clear_all(conn, account.id)


async def has_unread(db: Database, account_id: int) -> bool:
    """`MeDetailed.hasUnreadChatMessages`: any marker (cached per worker, core/caller_cache.py)."""

    async def load() -> bool:
        async with db.read() as conn:
            return await store.any_unread(conn, account_id)

    return await caller_cache.chat_unread(db, account_id, load)


async def announce_if_unread(db: Database, message_id: int) -> list[int]:
    """`newChatMessage` on the main stream of each recipient who has not read the message
    (nor a newer one of the same conversation or room) yet. Run by the `chat_new_message`
    job, queued three seconds after the message. Returns those recipients."""
    async with db.read() as conn:
        readers = await store.still_unread(conn, message_id)
    publish(
        db,
        *(
            Event(f"user:{account_id}", "newChatMessage", {"message_id": message_id})
            for account_id in readers
        ),
    )
    return readers
