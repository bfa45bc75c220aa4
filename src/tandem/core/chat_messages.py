"""Chat messages (Misskey's chat): sending to a user or a room, deleting, reading.

Events (core/events.py; the streams render them for their viewers): a direct message's
topic is `chat:user:<low id>:<high id>`, a room's `chat:room:<room id>`; kinds `message`,
`deleted` ({"message_id"}), `react`/`unreact` (core/chat_reactions.py). Three seconds after
a message, its recipients who have not read it yet get `newChatMessage` on `user:<id>`
(the `chat_new_message` job, core/chat_reads.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tandem.core import chat_loading, chat_reads, chat_rules, clock
from tandem.core.chat_models import ChatMessage
from tandem.core.errors import NotFound, Unprocessable
from tandem.core.events import Event, publish
from tandem.core.i18n import Text
from tandem.core.ids import new_id
from tandem.core.models import Account, MediaAttachment, Page
from tandem.store import accounts as account_store
from tandem.store import chat_messages as store
from tandem.store import chat_reads as read_store
from tandem.store import chat_rooms as room_store
from tandem.store import jobs as job_store
from tandem.store import media as media_store
from tandem.store.db import AnyRow, Conn, Database

UNREAD_NOTICE_DELAY = timedelta(seconds=3)


def dm_topic(a: int, b: int) -> str:
    low, high = sorted((a, b))
    return f"chat:user:{low}:{high}"


def room_topic(room_id: int) -> str:
    return f"chat:room:{room_id}"


def topic_of(row: AnyRow) -> str:
    if row.room_id is not None:
        return room_topic(row.room_id)
    return dm_topic(row.from_account_id, row.to_account_id)


def clean_text(text: str | None) -> str | None:
    """Trimmed; an empty text is no text."""
    if text is None:
        return None
    return text.strip() or None


async def _own_file(conn: Conn, account: Account, file_id: int | None) -> MediaAttachment | None:
    if file_id is None:
        return None
    found = await media_store.get(conn, file_id)
    if found is None or found.account_id != account.id:
        raise NotFound("file")
    return found


def _need_content(text: str | None, file: MediaAttachment | None) -> None:
    if text is None and file is None:
        raise Unprocessable(Text("A text or a file is required."), code="CONTENT_REQUIRED")


async def _after_send(conn: Conn, message_id: int) -> None:
    await job_store.enqueue(
        conn,
        "chat_new_message",
        {"message_id": message_id},
        run_at=clock.now() + UNREAD_NOTICE_DELAY,
    )


async def _one(conn: Conn, viewer_id: int, message_id: int) -> ChatMessage:
    row = await store.get(conn, message_id)
    assert row is not None
    return (await chat_loading.messages(conn, viewer_id, [row]))[0]


async def to_user(
    db: Database, sender: Account, recipient_id: int, text: str | None, file_id: int | None
) -> ChatMessage:
    chat_rules.check(sender, "write")
    text = clean_text(text)
    async with db.write() as conn:
        file = await _own_file(conn, sender, file_id)
        _need_content(text, file)
        recipient = await chat_rules.recipient(conn, sender, recipient_id)
        message_id, now = new_id(), clock.now()
        low, high = sorted((sender.id, recipient.id))
        await store.insert(
            conn,
            id=message_id,
            from_account_id=sender.id,
            to_account_id=recipient.id,
            pair_low=low,
            pair_high=high,
            text=text,
            file_id=file.id if file else None,
            created_at=now,
        )
        await store.set_conversation(conn, sender.id, recipient.id, message_id)
        await store.set_conversation(conn, recipient.id, sender.id, message_id)
        await store.approve(conn, sender.id, recipient.id, now)
        await read_store.mark(conn, [recipient.id], message_id, other_id=sender.id)
        await _after_send(conn, message_id)
        publish(db, Event(dm_topic(low, high), "message", {"message_id": message_id}))
        return await _one(conn, sender.id, message_id)


async def room_row(conn: Conn, account: Account, room_id: int) -> AnyRow:
    """The room, when the account is its owner or a member (else "no such room")."""
    found = await room_store.get(conn, room_id)
    if found is None:
        raise NotFound("chat_room")
    if (
        found.owner_id != account.id
        and await room_store.membership(conn, room_id, account.id) is None
    ):
        raise NotFound("chat_room")
    return found


async def to_room(
    db: Database, sender: Account, room_id: int, text: str | None, file_id: int | None
) -> ChatMessage:
    chat_rules.check(sender, "write")
    text = clean_text(text)
    async with db.write() as conn:
        room = await room_store.get(conn, room_id)
        if room is None:
            raise NotFound("chat_room")
        file = await _own_file(conn, sender, file_id)
        _need_content(text, file)
        owner = room.owner_id == sender.id
        if not owner and await room_store.membership(conn, room_id, sender.id) is None:
            raise Unprocessable(
                Text("You are not a member of this room."), code="NOT_A_ROOM_MEMBER"
            )
        message_id, now = new_id(), clock.now()
        await store.insert(
            conn,
            id=message_id,
            from_account_id=sender.id,
            room_id=room_id,
            text=text,
            file_id=file.id if file else None,
            created_at=now,
        )
        await room_store.change(conn, room_id, last_message_id=message_id)
        readers = set(await room_store.member_ids(conn, room_id, unmuted=True))
        readers.add(room.owner_id)
        readers.discard(sender.id)
        await read_store.mark(conn, readers, message_id, room_id=room_id)
        await _after_send(conn, message_id)
        publish(db, Event(room_topic(room_id), "message", {"message_id": message_id}))
        return await _one(conn, sender.id, message_id)


async def can_see(conn: Conn, viewer: Account, row: AnyRow) -> bool:
    """A direct message: its sender and recipient; a room message: the owner and members."""
    if row.room_id is None:
        return viewer.id in (row.from_account_id, row.to_account_id)
    room = await room_store.get(conn, row.room_id)
    if room is None:
        return False
    if room.owner_id == viewer.id:
        return True
    return await room_store.membership(conn, row.room_id, viewer.id) is not None


async def visible_row(conn: Conn, viewer: Account, message_id: int) -> AnyRow:
    row = await store.get(conn, message_id)
    if row is None or not await can_see(conn, viewer, row):
        raise NotFound("chat_message")
    return row


async def message_for(db: Database, viewer: Account, message_id: int) -> ChatMessage | None:
    """One message as the viewer's streams show it; None when gone or not the viewer's."""
    async with db.read() as conn:
        row = await store.get(conn, message_id)
        if row is None or not await can_see(conn, viewer, row):
            return None
        found = await chat_loading.messages(conn, viewer.id, [row])
    return found[0] if found else None


async def show(db: Database, viewer: Account, message_id: int) -> ChatMessage:
    chat_rules.check(viewer, "read")
    async with db.read() as conn:
        row = await visible_row(conn, viewer, message_id)
        return (await chat_loading.messages(conn, viewer.id, [row]))[0]


async def delete(db: Database, account: Account, message_id: int) -> None:
    """Only one's own messages (room owners cannot delete others' here, as in Misskey)."""
    chat_rules.check(account, "write")
    async with db.write() as conn:
        row = await store.get(conn, message_id)
        if row is None or row.from_account_id != account.id:
            raise NotFound("chat_message")
        if await store.remove(conn, message_id) is None:
            raise NotFound("chat_message")
        if row.room_id is not None:
            newest = await store.newest_in_room(conn, row.room_id)
            await room_store.change(conn, row.room_id, last_message_id=newest)
        else:
            newest = await store.newest_in_pair(conn, row.pair_low, row.pair_high)
            for a, b in ((row.pair_low, row.pair_high), (row.pair_high, row.pair_low)):
                if newest is None:
                    await store.drop_conversation(conn, a, b)
                else:
                    await store.set_conversation(conn, a, b, newest)
        publish(db, Event(topic_of(row), "deleted", {"message_id": message_id}))


async def user_timeline(
    db: Database, viewer: Account, other_id: int, page: Page
) -> list[ChatMessage]:
    """The conversation with `other_id`, which it marks read."""
    chat_rules.check(viewer, "read")
    async with db.read() as conn:
        other = await account_store.get(conn, other_id)
        if other is None:
            raise NotFound("account")
        low, high = sorted((viewer.id, other_id))
        rows = await store.conversation_page(conn, low, high, page)
        found = await chat_loading.messages(conn, viewer.id, rows, with_rooms=False)
    await _mark_read(db, viewer, read_store.user_thread(other_id))
    return found


async def room_timeline(
    db: Database, viewer: Account, room_id: int, page: Page
) -> list[ChatMessage]:
    """The room's messages (owner and members only), which it marks read."""
    chat_rules.check(viewer, "read")
    async with db.read() as conn:
        await room_row(conn, viewer, room_id)
        rows = await store.room_page(conn, room_id, page)
        found = await chat_loading.messages(conn, viewer.id, rows, with_rooms=False)
    await _mark_read(db, viewer, read_store.room_thread(room_id))
    return found


async def _mark_read(db: Database, viewer: Account, thread: str) -> None:
    await chat_reads.clear_thread(db, viewer.id, thread)


async def history(db: Database, viewer: Account, limit: int, rooms: bool) -> list[ChatMessage]:
    """The newest message of each conversation (or room) of the viewer, newest first, each
    saying whether the viewer has read it."""
    chat_rules.check(viewer, "read")
    async with db.read() as conn:
        if rooms:
            ids = await store.history_rooms(conn, viewer.id, limit)
        else:
            ids = await store.history_direct(conn, viewer.id, limit, clock.now())
        rows = sorted(await store.get_many(conn, ids), key=lambda r: r.id, reverse=True)
        found = await chat_loading.messages(conn, viewer.id, rows)
        threads = {r.id: _thread(viewer.id, r) for r in rows}
        unread = await read_store.unread_threads(conn, viewer.id, threads.values())
    return [_with_read(m, threads[m.id] not in unread) for m in found]


def _thread(viewer_id: int, row: AnyRow) -> str:
    if row.room_id is not None:
        return read_store.room_thread(row.room_id)
    other = row.to_account_id if row.from_account_id == viewer_id else row.from_account_id
    return read_store.user_thread(other)


def _with_read(message: ChatMessage, is_read: bool) -> ChatMessage:
    return replace(message, is_read=is_read)
