"""Collection, CollectionItem and their wrappers (Mastodon 4.6's Collections), and the
NotificationFallback of the notifications they send."""

from __future__ import annotations

from typing import TypedDict, cast

from tandem.api.mastodon.entities.account_collection_types import (
    Collection,
    CollectionItem,
    NotificationFallback,
)
from tandem.api.mastodon.entities.types import Account
from tandem.api.mastodon.formats import iso_ms
from tandem.config import Settings
from tandem.core.account_collections import SHOWN_STATES, CollectionView
from tandem.core.models import CollectionItem as Item
from tandem.core.urls import tag_url


class CollectionWithAccounts(TypedDict):
    collection: Collection
    accounts: list[Account]


def collection_item(item: Item) -> CollectionItem:
    data: CollectionItem = {
        "id": str(item.id),
        "state": item.state,
        "created_at": cast(str, iso_ms(item.created_at)),
    }
    if item.state in SHOWN_STATES:
        data["account_id"] = str(item.account_id)
    return data


def collection(settings: Settings, shown: CollectionView) -> Collection:
    c = shown.collection
    return {
        "id": str(c.id),
        "uri": f"{settings.base_url}/ap/users/{c.account_id}/collections/{c.id}",
        "url": None,  # no HTML page for collections yet
        "name": c.name,
        "description": c.description,
        "language": c.language,
        "account_id": str(c.account_id),
        "local": True,
        "sensitive": c.sensitive,
        "discoverable": c.discoverable,
        "item_count": len(c.items),
        "created_at": cast(str, iso_ms(c.created_at)),
        "updated_at": cast(str, iso_ms(c.updated_at)),
        "tag": (
            {"name": c.tag_name, "url": tag_url(settings, c.tag_name)}
            if c.tag_name is not None
            else None
        ),
        "items": [collection_item(i) for i in shown.items],
    }


def fallback(sender_acct: str, shown: CollectionView | None) -> NotificationFallback:
    """How a client that does not know `added_to_collection` can still show it."""
    title = f"@{sender_acct} added you to a collection"
    return {
        "title": title,
        "summary": shown.collection.name if shown is not None else None,
        "details": (
            "You're on an app that does not show collections yet. Sign in to an app that "
            "does to see it, or remove yourself from it."
        ),
    }
