"""TypedDicts of Collections (Mastodon 4.6) that other entities embed: a notification carries
its Collection and a NotificationFallback."""

from typing import NotRequired, TypedDict


class ShallowTag(TypedDict):
    name: str
    url: str


class CollectionItem(TypedDict):
    id: str
    state: str
    created_at: str
    account_id: NotRequired[str]  # only while the item is pending or accepted


class Collection(TypedDict):
    id: str
    uri: str
    url: str | None
    name: str
    description: str
    language: str | None
    account_id: str
    local: bool
    sensitive: bool
    discoverable: bool
    item_count: int
    created_at: str
    updated_at: str
    tag: ShallowTag | None
    items: list[CollectionItem]


class WrappedCollection(TypedDict):
    collection: Collection


class Collections(TypedDict):
    collections: list[Collection]


class WrappedCollectionItem(TypedDict):
    collection_item: CollectionItem


class NotificationFallback(TypedDict):
    title: str
    summary: str | None
    details: str | None
