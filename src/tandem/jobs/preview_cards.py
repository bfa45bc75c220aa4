"""fetch_preview_card: read the page a status links (through the outbound guard: public
addresses only unless `allow_loopback_fetch`, bounded size, time and redirects), the oEmbed
document it names (same guard, bounded), and the card's image, and store the card
(core/preview_cards.py, core/oembed.py). `fetch_and_store` also serves Misskey's `/url`,
which fetches a missing card while the client waits (a shorter timeout)."""

from __future__ import annotations

import asyncio
import json

import httpx

from tandem.core import oembed, preview_cards
from tandem.jobs.links import STEP_SECONDS, fetch, fetch_page
from tandem.jobs.worker import JobContext
from tandem.services import Services

IMAGE_BYTES = preview_cards.IMAGE_LIMIT
OEMBED_BYTES = oembed.DOCUMENT_LIMIT


async def fetch_bytes(
    url: str,
    allow_loopback: bool,
    limit: int,
    *,
    accept: str = "image/*",
    step: float = STEP_SECONDS,
) -> bytes | None:
    """The body at this URL (None when refused, not 200, or longer than `limit`)."""
    found = await fetch(url, allow_loopback, accept=accept, limit=limit, step=step)
    if found is None or len(found[0]) > limit:
        return None
    return found[0]


async def _oembed_document(url: str, allow: bool, step: float) -> object:
    """The parsed JSON at an oEmbed endpoint, or None (refused, unreachable, too long, not
    JSON)."""
    try:
        raw = await fetch_bytes(url, allow, OEMBED_BYTES, accept="application/json", step=step)
    except (httpx.HTTPError, httpx.InvalidURL, UnicodeError, LookupError):
        return None
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


async def card_data(url: str, allow: bool, step: float) -> preview_cards.CardData | None:
    """What the page at this URL says about itself (its oEmbed document first, as Mastodon),
    or None when it is unreachable or has no card."""
    try:
        page = await fetch_page(url, allow, step)
    except (httpx.HTTPError, httpx.InvalidURL, UnicodeError, LookupError):
        return None  # unreachable: no card (as Mastodon); a later post of the link tries again
    if page is None:
        return None
    data = preview_cards.parse(page, url)
    endpoint = oembed.endpoint(page, url)
    if endpoint is None:
        return data
    doc = await _oembed_document(endpoint, allow, step)
    return preview_cards.with_oembed(data, doc, endpoint)


async def _fetch_parts(
    url: str, allow: bool, step: float
) -> tuple[preview_cards.CardData, bytes | None] | None:
    data = await card_data(url, allow, step)
    if data is None:
        return None
    raw = None
    if data.image_url:
        try:
            raw = await fetch_bytes(data.image_url, allow, IMAGE_BYTES, step=step)
        except (httpx.HTTPError, httpx.InvalidURL):
            raw = None
    return data, raw


async def fetch_and_store(
    services: Services,
    url: str,
    status_id: int | None,
    *,
    step: float = STEP_SECONDS,
    total: float | None = None,
) -> preview_cards.PreviewCard | None:
    """Fetch the card of this (normalised) URL and its image, store it, and show it on the
    status when one is given; None when the page gives no card. `step` bounds each network
    step, `total` all the fetching (TimeoutError past it); storing is never cut short, so
    no file is left behind."""
    parts = await asyncio.wait_for(
        _fetch_parts(url, services.settings.allow_loopback_fetch, step), total
    )
    if parts is None:
        return None
    data, raw = parts
    image = None
    if raw:
        image = await asyncio.to_thread(preview_cards.process_image, services.files, raw)
    return await preview_cards.save(services.db, services.files, status_id, url, data, image)


async def fetch_card(ctx: JobContext) -> None:
    services = ctx.services
    status_id = int(ctx.payload["status_id"])
    url = str(ctx.payload["url"])
    if preview_cards.is_local(services.settings, url):
        return
    if not await preview_cards.pending_link(services.db, status_id, url):
        return  # deleted, or edited to link elsewhere (that edit queued its own fetch)
    known = await preview_cards.fresh(services.db, url)
    if known is not None:
        await preview_cards.attach(services.db, status_id, url, known.id)
        return
    await fetch_and_store(services, url, status_id)
