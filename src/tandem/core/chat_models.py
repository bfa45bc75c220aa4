"""Chat records as the dialect renders them: each carries the accounts, room and file it
shows, loaded together (core/chat_loading.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from tandem.core.models import Account, MediaAttachment

ChatScope = Literal["everyone", "followers", "following", "mutual", "none"]
CHAT_SCOPES: tuple[ChatScope, ...] = ("everyone", "followers", "following", "mutual", "none")
Availability = Literal["available", "readonly", "unavailable"]

TEXT_LIMIT = 2000
ROOM_NAME_LIMIT = 256
ROOM_DESCRIPTION_LIMIT = 1024
MAX_ROOM_MEMBERS = 50  # membership rows: the owner has none and is not counted
MAX_REACTIONS_PER_MESSAGE = 100


@dataclass(frozen=True)
class ChatRoom:
    id: int
    owner: Account
    name: str
    description: str
    created_at: datetime
    is_muted: bool = False  # the viewer's membership is muted
    invitation_exists: bool = False  # the viewer has an invitation to it


@dataclass(frozen=True)
class ChatReaction:
    account: Account
    reaction: str


@dataclass(frozen=True)
class ChatMessage:
    id: int
    created_at: datetime
    sender: Account
    text: str | None
    file: MediaAttachment | None
    recipient: Account | None = None  # a direct message's
    room: ChatRoom | None = None  # a room message's
    reactions: list[ChatReaction] = field(default_factory=list)
    is_read: bool | None = None  # chat/history only

    @property
    def file_id(self) -> int | None:
        return self.file.id if self.file is not None else None


@dataclass(frozen=True)
class ChatMembership:
    id: int
    created_at: datetime
    account: Account
    room: ChatRoom


@dataclass(frozen=True)
class ChatInvitation:
    id: int
    created_at: datetime
    account: Account  # the invitee
    room: ChatRoom
