"""Misskey's chat channels (stream/channels/chat-user.ts, chat-room.ts), and how the `main`
channel renders `newChatMessage`.

`chatUser {otherId}` hears the conversation with one account, `chatRoom {roomId}` one room:
`message` (the lite message of its kind), `deleted` (the message id), `react` / `unreact`.
A `read` message from the client marks the conversation or room read. Unlike Misskey's,
the room channel connects only for the room's owner and members, and every message is
checked against the viewer again when it arrives (a member who left hears no more).
"""

from __future__ import annotations

from typing import Any

from tandem.api.misskey.entities.chat import (
    chat_message,
    chat_message_lite_1on1,
    chat_message_lite_room,
)
from tandem.api.misskey.entities.user_lite import user_lite
from tandem.api.misskey.streaming.channels import Channel, channel, chat_message_renderer
from tandem.api.misskey.streaming.connection import Connection
from tandem.core import accounts, chat_messages, chat_reads, chat_rooms, chat_rules
from tandem.core.chat_models import ChatMessage
from tandem.core.errors import DomainError
from tandem.core.events import Event
from tandem.core.ids import parse_id


class ChatChannel(Channel):
    credential = True
    permission = "read:chat"
    __slots__ = ()

    async def start_for(self, topic: str) -> bool:
        viewer = self.conn.viewer
        if viewer is None or chat_rules.availability(viewer) == "unavailable":
            return False
        await self.listen(topic)
        return True

    async def on_event(self, event: Event) -> None:
        message_id = event.data.get("message_id")
        if not isinstance(message_id, int):
            return
        if event.kind == "message":
            viewer = self.conn.viewer
            assert viewer is not None
            found = await chat_messages.message_for(self.conn.services.db, viewer, message_id)
            if found is not None:
                await self.emit("message", self.render(found))
        elif event.kind == "deleted":
            await self.emit("deleted", str(message_id))
        elif event.kind in ("react", "unreact"):
            await self.emit(event.kind, await self.reaction(event, message_id))

    def render(self, message: ChatMessage) -> Any:
        raise NotImplementedError

    async def reaction(self, event: Event, message_id: int) -> dict[str, Any]:
        return {"messageId": str(message_id), "reaction": event.data.get("reaction")}


@channel("chatUser")
class ChatUser(ChatChannel):
    __slots__ = ("other_id",)

    def __init__(self, conn: Connection, id: str) -> None:
        super().__init__(conn, id)
        self.other_id = 0

    async def start(self, params: dict[str, Any]) -> bool:
        other = parse_id(params.get("otherId"))
        if other is None:
            return False
        self.other_id = other
        return await self.start_for(chat_messages.dm_topic(self.me, other))

    def render(self, message: ChatMessage) -> Any:
        return chat_message_lite_1on1(self.conn.ctx, message)

    async def on_message(self, type: str, body: Any) -> None:
        viewer = self.conn.viewer
        if type == "read" and viewer is not None:
            await chat_reads.mark_read(self.conn.services.db, viewer, other_id=self.other_id)


@channel("chatRoom")
class ChatRoom(ChatChannel):
    __slots__ = ("room_id",)

    def __init__(self, conn: Connection, id: str) -> None:
        super().__init__(conn, id)
        self.room_id = 0

    async def start(self, params: dict[str, Any]) -> bool:
        room_id, viewer = parse_id(params.get("roomId")), self.conn.viewer
        if room_id is None or viewer is None:
            return False
        if not await chat_rooms.can_read(self.conn.services.db, viewer, room_id):
            return False
        self.room_id = room_id
        return await self.start_for(chat_messages.room_topic(room_id))

    def render(self, message: ChatMessage) -> Any:
        return chat_message_lite_room(self.conn.ctx, message)

    async def reaction(self, event: Event, message_id: int) -> dict[str, Any]:
        shown = await super().reaction(event, message_id)
        reactor = event.data.get("account_id")
        if isinstance(reactor, int):
            try:
                account = await accounts.get(self.conn.services.db, reactor)
            except DomainError:
                return shown
            shown["user"] = user_lite(self.conn.ctx, account)
        return shown

    async def on_message(self, type: str, body: Any) -> None:
        viewer = self.conn.viewer
        if type == "read" and viewer is not None:
            await chat_reads.mark_read(self.conn.services.db, viewer, room_id=self.room_id)


async def _new_chat_message(conn: Connection, message_id: int) -> dict[str, Any] | None:
    viewer = conn.viewer
    if viewer is None:
        return None
    found = await chat_messages.message_for(conn.services.db, viewer, message_id)
    return dict(chat_message(conn.ctx, found)) if found is not None else None


chat_message_renderer.append(_new_chat_message)
