"""PreviewCard and Conversation entities."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, cast

from tandem.api.mastodon.entities import card_types as c
from tandem.api.mastodon.entities import statuses as status_entities
from tandem.api.mastodon.entities.accounts import Render, account
from tandem.api.mastodon.formats import iso_ms
from tandem.config import Settings
from tandem.core import conversations, preview_cards, urls


def preview_card(settings: Settings, card: preview_cards.PreviewCard) -> c.PreviewCard:
    data = card.data
    published = None
    if data.published_at:
        try:
            published = iso_ms(datetime.fromisoformat(data.published_at))
        except ValueError:
            published = None
    kind = data.type if data.type in ("link", "photo", "video", "rich") else "link"
    return {
        "url": card.url,
        "title": data.title,
        "description": data.description,
        "language": data.language,
        "type": cast(Literal["link", "photo", "video", "rich"], kind),
        "author_name": data.author_name,
        "author_url": data.author_url,
        "provider_name": data.provider_name,
        "provider_url": data.provider_url,
        "html": data.html,  # only ever an iframe tandem rebuilt (core/oembed.py)
        "width": data.width if kind != "link" else card.image.width if card.image else 0,
        "height": data.height if kind != "link" else card.image.height if card.image else 0,
        "image": urls.file_url(settings, card.image.path) if card.image else None,
        "image_description": data.image_description,
        "embed_url": data.embed_url,
        "blurhash": card.blurhash if card.image else None,
        "published_at": published,
        "authors": [
            {"name": a.get("name", ""), "url": a.get("url", ""), "account": None}
            for a in data.authors
        ],
    }


def conversation(
    shown: conversations.Conversations, item: conversations.Conversation, r: Render
) -> c.Conversation:
    people = [shown.accounts[i] for i in item.participant_ids if i in shown.accounts]
    if not item.participant_ids and item.account_id in shown.accounts:
        people = [shown.accounts[item.account_id]]  # a note to oneself (as Mastodon shows it)
    last = shown.last_status(item)
    last_json = status_entities.status(last, shown.statuses, r) if last is not None else None
    return {
        "id": str(item.id),
        "unread": item.unread,
        "accounts": [account(a, r) for a in people],
        "last_status": last_json,
    }
