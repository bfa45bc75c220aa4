"""Preview cards: one per normalised URL, and the card each status shows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from tandem.core.ids import new_id
from tandem.core.models import ImageRef, Page
from tandem.store.accounts import image_from_json, image_to_json
from tandem.store.db import AnyRow, Conn
from tandem.store.paging import newest_first
from tandem.store.schema import preview_cards as cards
from tandem.store.schema import status_preview_cards as links
from tandem.store.schema import statuses
from tandem.store.writes import insert_ignoring, insert_new


@dataclass(frozen=True)
class CardData:
    """What a page says about itself (every text already trimmed and bounded)."""

    title: str
    description: str = ""
    type: str = "link"
    author_name: str = ""
    author_url: str = ""
    provider_name: str = ""
    provider_url: str = ""
    image_url: str = ""  # where the image was found (fetched separately)
    image_description: str = ""
    language: str | None = None
    published_at: str | None = None  # ISO 8601 as the page gave it (validated)
    authors: list[dict[str, str]] = field(default_factory=list)
    # A "video"/"rich" card's player: one iframe tandem rebuilt (core/oembed.py), never the
    # remote markup; a "photo"/"video"/"rich" card's own size; a "photo" card's image URL.
    html: str = ""
    width: int = 0
    height: int = 0
    embed_url: str = ""


@dataclass(frozen=True)
class PreviewCard:
    id: int
    url: str
    data: CardData
    image: ImageRef | None
    blurhash: str | None
    fetched_at: datetime


def _from_row(row: AnyRow) -> PreviewCard:
    raw: dict[str, Any] = dict(row.data or {})
    known = {k: v for k, v in raw.items() if k in CardData.__dataclass_fields__}
    return PreviewCard(
        id=row.id,
        url=row.url,
        data=CardData(**known),
        image=image_from_json(row.image),
        blurhash=row.blurhash,
        fetched_at=row.fetched_at,
    )


async def by_url(conn: Conn, url_key: str) -> PreviewCard | None:
    row = (await conn.execute(select(cards).where(cards.c.url_key == url_key))).first()
    return _from_row(row) if row else None


async def save(
    conn: Conn,
    url_key: str,
    data: CardData,
    image: ImageRef | None,
    blurhash: str | None,
    now: datetime,
) -> tuple[PreviewCard, ImageRef | None]:
    """Create or refresh the card of this URL; also the image it replaced (to delete)."""
    values = {
        "url": url_key,
        "data": asdict(data),
        "image": image_to_json(image),
        "blurhash": blurhash,
        "fetched_at": now,
    }
    created = await insert_new(conn, cards, {"id": new_id(), "url_key": url_key, **values})
    old: ImageRef | None = None
    if not created:
        previous = await by_url(conn, url_key)
        old = previous.image if previous else None
        await conn.execute(update(cards).where(cards.c.url_key == url_key).values(**values))
    card = await by_url(conn, url_key)
    assert card is not None
    return card, (old if old != image else None)


async def link(conn: Conn, status_id: int, card_id: int) -> None:
    """The status shows this card (replacing any other); the status must exist (locked)."""
    await conn.execute(
        insert_ignoring(
            conn, links, {"status_id": status_id, "preview_card_id": card_id}, ["status_id"]
        )
    )
    await conn.execute(
        update(links).where(links.c.status_id == status_id).values(preview_card_id=card_id)
    )


async def unlink(conn: Conn, status_id: int) -> None:
    await conn.execute(delete(links).where(links.c.status_id == status_id))


async def of_statuses(conn: Conn, status_ids: Iterable[int]) -> dict[int, PreviewCard]:
    """The card each of these statuses shows, by status id (one statement)."""
    ids = sorted(set(status_ids))
    if not ids:
        return {}
    rows = await conn.execute(
        select(links.c.status_id, cards)
        .join(cards, cards.c.id == links.c.preview_card_id)
        .where(links.c.status_id.in_(ids))
    )
    return {r.status_id: _from_row(r) for r in rows}


async def status_ids_with(conn: Conn, card_id: int, page: Page) -> list[int]:
    """Public statuses showing this card, newest first, in the window."""
    stmt = (
        select(links.c.status_id)
        .join(statuses, statuses.c.id == links.c.status_id)
        .where(links.c.preview_card_id == card_id, statuses.c.visibility == "public")
    )
    return [r.status_id for r in await newest_first(conn, stmt, links.c.status_id, page)]
