"""What federation reads from other servers, as plain typed values: a remote actor, a note,
an attachment. federation/ parses ActivityStreams JSON into these; core stores them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from tandem.core.models import Visibility

ActorType = Literal["Person", "Service", "Application", "Group", "Organization"]


@dataclass(frozen=True)
class RemoteField:
    name: str
    value_html: str
    value_text: str = ""


@dataclass(frozen=True)
class RemoteActor:
    uri: str
    username: str
    domain: str  # the handle's domain (WebFinger's answer), else the id's host
    actor_type: ActorType
    inbox: str
    display_name: str = ""
    summary_html: str = ""
    summary_text: str = ""  # the same, as plain text (Misskey's `description`)
    url: str | None = None
    icon_url: str | None = None
    image_url: str | None = None
    fields: list[RemoteField] = field(default_factory=list)
    locked: bool = False
    discoverable: bool | None = None
    indexable: bool = False
    memorial: bool = False
    is_cat: bool = False
    published: datetime | None = None
    also_known_as: list[str] = field(default_factory=list)
    moved_to: str | None = None
    shared_inbox: str | None = None
    outbox: str | None = None
    followers: str | None = None
    following: str | None = None
    featured: str | None = None
    key_id: str | None = None
    public_key_pem: str | None = None
    # The counts the remote server reports in its collections (None: it hides them).
    followers_count: int | None = None
    following_count: int | None = None
    statuses_count: int | None = None

    @property
    def bot(self) -> bool:
        return self.actor_type in ("Service", "Application")


@dataclass(frozen=True)
class RemoteMedia:
    url: str
    media_type: str
    description: str = ""
    blurhash: str | None = None
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class RemotePoll:
    options: list[str]
    multiple: bool = False
    expires_at: datetime | None = None


@dataclass(frozen=True)
class RemoteNote:
    uri: str
    author_uri: str
    content_html: str
    text: str  # the source (Misskey's MFM) when the note carries it, else the HTML as text
    published: datetime
    visibility: Visibility
    url: str | None = None
    summary: str = ""
    sensitive: bool = False
    language: str | None = None
    in_reply_to: str | None = None
    quote_of: str | None = None
    mentions: list[str] = field(default_factory=list)  # actor ids
    tags: list[str] = field(default_factory=list)
    media: list[RemoteMedia] = field(default_factory=list)
    updated: datetime | None = None
    poll: RemotePoll | None = None  # a Question's choices
