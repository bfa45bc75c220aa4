"""PreviewCard (a status's `card`) and Conversation, as TypedDicts (see types.py)."""

from typing import TYPE_CHECKING, Literal, TypedDict

if TYPE_CHECKING:
    from tandem.api.mastodon.entities import types as t


class PreviewCardAuthor(TypedDict):
    name: str
    url: str
    account: None  # no fediverse account is matched to a page's author


class PreviewCard(TypedDict):
    url: str
    title: str
    description: str
    language: str | None
    type: Literal["link", "photo", "video", "rich"]
    author_name: str
    author_url: str
    provider_name: str
    provider_url: str
    html: str  # "" or one iframe rebuilt by tandem (core/oembed.py): never remote markup
    width: int
    height: int
    image: str | None
    image_description: str
    embed_url: str
    blurhash: str | None
    published_at: str | None
    authors: list[PreviewCardAuthor]


class Conversation(TypedDict):
    id: str
    unread: bool
    accounts: "list[t.Account]"
    last_status: "t.Status | None"
