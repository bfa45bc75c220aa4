"""Chat rows into the records the dialect renders, loaded together (a constant number of
statements per list, whatever its length)."""

from __future__ import annotations

from collections.abc import Sequence

from tandem.core.chat_models import (
    ChatInvitation,
    ChatMembership,
    ChatMessage,
    ChatReaction,
    ChatRoom,
)
from tandem.core.models import Account
from tandem.store import accounts as account_store
from tandem.store import chat_messages as message_store
from tandem.store import chat_rooms as room_store
from tandem.store import media as media_store
from tandem.store.db import AnyRow, Conn


async def rooms(conn: Conn, viewer_id: int, rows: Sequence[AnyRow]) -> dict[int, ChatRoom]:
    """Rooms by id, with the viewer's mute and invitation flags."""
    if not rows:
        return {}
    ids = [r.id for r in rows]
    owners = await account_store.get_many(conn, {r.owner_id for r in rows})
    muted = {r.room_id for r in await room_store.memberships_of(conn, viewer_id, ids) if r.muted}
    invited = await room_store.invitations_of(conn, viewer_id, ids)
    out: dict[int, ChatRoom] = {}
    for r in rows:
        owner = owners.get(r.owner_id)
        if owner is None:
            continue
        out[r.id] = ChatRoom(
            id=r.id,
            owner=owner,
            name=r.name,
            description=r.description,
            created_at=r.created_at,
            is_muted=r.id in muted,
            invitation_exists=r.id in invited and r.owner_id != viewer_id,
        )
    return out


async def room(conn: Conn, viewer_id: int, row: AnyRow) -> ChatRoom | None:
    return (await rooms(conn, viewer_id, [row])).get(row.id)


async def messages(
    conn: Conn, viewer_id: int, rows: Sequence[AnyRow], *, with_rooms: bool = True
) -> list[ChatMessage]:
    """Messages in the order of `rows`, with their accounts, file, room and reactions."""
    if not rows:
        return []
    reactions = await message_store.reactions_of(conn, [r.id for r in rows])
    wanted = {r.from_account_id for r in rows} | {r.account_id for r in reactions}
    wanted |= {r.to_account_id for r in rows if r.to_account_id is not None}
    found = await account_store.get_many(conn, wanted)
    files = await media_store.get_many(conn, [r.file_id for r in rows if r.file_id is not None])
    room_rows = (
        await room_store.get_many(conn, {r.room_id for r in rows if r.room_id is not None})
        if with_rooms
        else []
    )
    shown_rooms = await rooms(conn, viewer_id, room_rows)
    by_message: dict[int, list[ChatReaction]] = {}
    for r in reactions:
        reactor = found.get(r.account_id)
        if reactor is not None:
            by_message.setdefault(r.message_id, []).append(ChatReaction(reactor, r.reaction))
    out: list[ChatMessage] = []
    for r in rows:
        sender = found.get(r.from_account_id)
        if sender is None:
            continue
        out.append(
            ChatMessage(
                id=r.id,
                created_at=r.created_at,
                sender=sender,
                text=r.text,
                file=files.get(r.file_id) if r.file_id is not None else None,
                recipient=found.get(r.to_account_id) if r.to_account_id is not None else None,
                room=shown_rooms.get(r.room_id) if r.room_id is not None else None,
                reactions=by_message.get(r.id, []),
            )
        )
    return out


async def memberships(conn: Conn, viewer_id: int, rows: Sequence[AnyRow]) -> list[ChatMembership]:
    room_rows = await room_store.get_many(conn, {r.room_id for r in rows})
    shown = await rooms(conn, viewer_id, room_rows)
    found = await account_store.get_many(conn, {r.account_id for r in rows})
    return [
        ChatMembership(r.id, r.created_at, found[r.account_id], shown[r.room_id])
        for r in rows
        if r.account_id in found and r.room_id in shown
    ]


async def invitations(conn: Conn, viewer_id: int, rows: Sequence[AnyRow]) -> list[ChatInvitation]:
    room_rows = await room_store.get_many(conn, {r.room_id for r in rows})
    shown = await rooms(conn, viewer_id, room_rows)
    found: dict[int, Account] = await account_store.get_many(conn, {r.account_id for r in rows})
    return [
        ChatInvitation(r.id, r.created_at, found[r.account_id], shown[r.room_id])
        for r in rows
        if r.account_id in found and r.room_id in shown
    ]
