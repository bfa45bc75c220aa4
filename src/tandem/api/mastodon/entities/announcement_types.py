"""Announcement and its parts, as TypedDicts (see types.py)."""

from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from tandem.api.mastodon.entities import types as t


class AnnouncementAccount(TypedDict):
    id: str
    username: str
    url: str
    acct: str


class AnnouncementStatus(TypedDict):
    id: str
    url: str


class Reaction(TypedDict):
    """A reaction to an announcement: `url`/`static_url` only for a custom emoji."""

    name: str
    count: int
    me: bool
    url: str | None
    static_url: str | None


class Announcement(TypedDict):
    id: str
    content: str
    starts_at: str | None
    ends_at: str | None
    all_day: bool
    published_at: str
    updated_at: str
    read: bool
    mentions: list[AnnouncementAccount]
    statuses: list[AnnouncementStatus]
    tags: list["t.StatusTag"]
    emojis: list["t.CustomEmoji"]
    reactions: list[Reaction]
