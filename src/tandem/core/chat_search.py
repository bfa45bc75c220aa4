"""chat/messages/search: messages whose text contains a string (case-insensitive), in one
conversation, one room, or all of the caller's chats, newest first.

Migration 0018's trigram indexes serve queries of 3 characters or more; shorter ones scan
the messages of the scope (store/chat_search.py).
"""

from __future__ import annotations

from tandem.core import chat_loading, chat_rules
from tandem.core.chat_messages import room_row
from tandem.core.chat_models import ChatMessage
from tandem.core.models import Account
from tandem.store import chat_rooms as room_store
from tandem.store import chat_search as store
from tandem.store.db import Database


async def search(
    db: Database,
    viewer: Account,
    query: str,
    limit: int,
    *,
    other_id: int | None = None,
    room_id: int | None = None,
) -> list[ChatMessage]:
    chat_rules.check(viewer, "read")
    async with db.read() as conn:
        if other_id is not None:
            low, high = sorted((viewer.id, other_id))
            rows = await store.find(conn, query, limit, pair=(low, high))
        elif room_id is not None:
            await room_row(conn, viewer, room_id)
            rows = await store.find(conn, query, limit, room_id=room_id)
        else:
            rooms = await room_store.joined_room_ids(conn, viewer.id)
            rows = await store.find(conn, query, limit, account_id=viewer.id, room_ids=rooms)
        return await chat_loading.messages(conn, viewer.id, rows)
