"""Mastodon's Search entity and the stored hashtag it lists (Tag with an id)."""

from __future__ import annotations

from typing import NotRequired, TypedDict

from tandem.api.mastodon.entities.types import Account, Status, TagHistory


class StoredTag(TypedDict):
    id: str
    name: str
    url: str
    history: list[TagHistory]
    following: NotRequired[bool]  # signed-in callers only
    featuring: NotRequired[bool]


class Search(TypedDict):
    accounts: list[Account]
    statuses: list[Status]
    hashtags: list[StoredTag]
