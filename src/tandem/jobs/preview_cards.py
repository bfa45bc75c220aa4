"""fetch_preview_card: read the page a status links (through the outbound guard: public
addresses only unless `allow_loopback_fetch`, bounded size, time and redirects), and its
image, and store the card (core/preview_cards.py)."""

from __future__ import annotations

import asyncio

import httpx

from tandem.core import preview_cards
from tandem.jobs.links import fetch, fetch_page
from tandem.jobs.worker import JobContext

IMAGE_BYTES = preview_cards.IMAGE_LIMIT


async def fetch_bytes(url: str, allow_loopback: bool, limit: int) -> bytes | None:
    """The body at this URL (None when refused, not 200, or longer than `limit`)."""
    found = await fetch(url, allow_loopback, accept="image/*", limit=limit)
    if found is None or len(found[0]) > limit:
        return None
    return found[0]


async def fetch_card(ctx: JobContext) -> None:
    services = ctx.services
    status_id = int(ctx.payload["status_id"])
    url = str(ctx.payload["url"])
    allow = services.settings.allow_loopback_fetch
    if preview_cards.is_local(services.settings, url):
        return
    if not await preview_cards.pending_link(services.db, status_id, url):
        return  # deleted, or edited to link elsewhere (that edit queued its own fetch)
    known = await preview_cards.fresh(services.db, url)
    if known is not None:
        await preview_cards.attach(services.db, status_id, url, known.id)
        return
    try:
        page = await fetch_page(url, allow)
    except (httpx.HTTPError, UnicodeError, LookupError):
        return  # unreachable: no card (as Mastodon); a later post of the link tries again
    if page is None:
        return
    data = preview_cards.parse(page, url)
    if data is None:
        return
    image = None
    if data.image_url:
        try:
            raw = await fetch_bytes(data.image_url, allow, IMAGE_BYTES)
        except httpx.HTTPError:
            raw = None
        if raw:
            image = await asyncio.to_thread(preview_cards.process_image, services.files, raw)
    await preview_cards.save(services.db, services.files, status_id, url, data, image)
