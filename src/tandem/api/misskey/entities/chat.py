"""Misskey's chat entities: ChatMessage (detailed), ChatMessageLiteFor1on1,
ChatMessageLiteForRoom, ChatRoom, ChatRoomMembership, ChatRoomInvitation."""

from __future__ import annotations

from typing import NotRequired, TypedDict

from tandem.api.misskey.entities.common import Ctx, iso
from tandem.api.misskey.entities.drive import drive_file
from tandem.api.misskey.entities.types import DriveFile, UserLite
from tandem.api.misskey.entities.user_lite import user_lite
from tandem.core.chat_models import ChatInvitation, ChatMembership, ChatMessage, ChatRoom


class ChatRoomJson(TypedDict):
    id: str
    createdAt: str
    ownerId: str
    owner: UserLite
    name: str
    description: str
    isMuted: bool
    invitationExists: bool


class ReactionLite(TypedDict):
    reaction: str


class ReactionWithUser(TypedDict):
    reaction: str
    user: UserLite


class ChatMessageLite1on1(TypedDict):
    id: str
    createdAt: str
    fromUserId: str
    toUserId: str | None
    text: str | None
    fileId: str | None
    file: DriveFile | None
    reactions: list[ReactionLite]


class ChatMessageLiteRoom(TypedDict):
    id: str
    createdAt: str
    fromUserId: str
    fromUser: UserLite
    toRoomId: str | None
    text: str | None
    fileId: str | None
    file: DriveFile | None
    reactions: list[ReactionWithUser]


class ChatMessageJson(TypedDict):
    id: str
    createdAt: str
    fromUserId: str
    fromUser: UserLite
    toUserId: NotRequired[str | None]
    toUser: NotRequired[UserLite]
    toRoomId: NotRequired[str | None]
    toRoom: NotRequired[ChatRoomJson]
    text: str | None
    fileId: str | None
    file: DriveFile | None
    isRead: NotRequired[bool]
    reactions: list[ReactionWithUser]


class ChatRoomMembershipJson(TypedDict):
    id: str
    createdAt: str
    userId: str
    user: NotRequired[UserLite]
    roomId: str
    room: NotRequired[ChatRoomJson]


class ChatRoomInvitationJson(TypedDict):
    id: str
    createdAt: str
    userId: str
    user: UserLite
    roomId: str
    room: ChatRoomJson


def chat_room(ctx: Ctx, room: ChatRoom) -> ChatRoomJson:
    return {
        "id": str(room.id),
        "createdAt": iso(room.created_at),
        "ownerId": str(room.owner.id),
        "owner": user_lite(ctx, room.owner),
        "name": room.name,
        "description": room.description,
        "isMuted": room.is_muted,
        "invitationExists": room.invitation_exists,
    }


def _file(ctx: Ctx, m: ChatMessage) -> tuple[str | None, DriveFile | None]:
    if m.file is None:
        return None, None
    return str(m.file.id), drive_file(ctx, m.file)


def _reactions(ctx: Ctx, m: ChatMessage) -> list[ReactionWithUser]:
    return [{"reaction": r.reaction, "user": user_lite(ctx, r.account)} for r in m.reactions]


def chat_message_lite_1on1(ctx: Ctx, m: ChatMessage) -> ChatMessageLite1on1:
    file_id, file = _file(ctx, m)
    return {
        "id": str(m.id),
        "createdAt": iso(m.created_at),
        "fromUserId": str(m.sender.id),
        "toUserId": str(m.recipient.id) if m.recipient is not None else None,
        "text": m.text,
        "fileId": file_id,
        "file": file,
        "reactions": [{"reaction": r.reaction} for r in m.reactions],
    }


def chat_message_lite_room(
    ctx: Ctx, m: ChatMessage, room_id: int | None = None
) -> ChatMessageLiteRoom:
    file_id, file = _file(ctx, m)
    shown_room = room_id if room_id is not None else (m.room.id if m.room is not None else None)
    return {
        "id": str(m.id),
        "createdAt": iso(m.created_at),
        "fromUserId": str(m.sender.id),
        "fromUser": user_lite(ctx, m.sender),
        "toRoomId": str(shown_room) if shown_room is not None else None,
        "text": m.text,
        "fileId": file_id,
        "file": file,
        "reactions": _reactions(ctx, m),
    }


def chat_message(ctx: Ctx, m: ChatMessage) -> ChatMessageJson:
    """The detailed form (chat/history, search, show, the `newChatMessage` event)."""
    file_id, file = _file(ctx, m)
    data: ChatMessageJson = {
        "id": str(m.id),
        "createdAt": iso(m.created_at),
        "fromUserId": str(m.sender.id),
        "fromUser": user_lite(ctx, m.sender),
        "text": m.text,
        "fileId": file_id,
        "file": file,
        "reactions": _reactions(ctx, m),
    }
    if m.recipient is not None:
        data["toUserId"] = str(m.recipient.id)
        data["toUser"] = user_lite(ctx, m.recipient)
    if m.room is not None:
        data["toRoomId"] = str(m.room.id)
        data["toRoom"] = chat_room(ctx, m.room)
    if m.is_read is not None:
        data["isRead"] = m.is_read
    return data


def membership(
    ctx: Ctx, m: ChatMembership, *, with_user: bool, with_room: bool
) -> ChatRoomMembershipJson:
    data: ChatRoomMembershipJson = {
        "id": str(m.id),
        "createdAt": iso(m.created_at),
        "userId": str(m.account.id),
        "roomId": str(m.room.id),
    }
    if with_user:
        data["user"] = user_lite(ctx, m.account)
    if with_room:
        data["room"] = chat_room(ctx, m.room)
    return data


def invitation(ctx: Ctx, i: ChatInvitation) -> ChatRoomInvitationJson:
    return {
        "id": str(i.id),
        "createdAt": iso(i.created_at),
        "userId": str(i.account.id),
        "user": user_lite(ctx, i.account),
        "roomId": str(i.room.id),
        "room": chat_room(ctx, i.room),
    }
