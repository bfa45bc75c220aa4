"""fetch_preview_card: read the page a status links (through the outbound guard: public
addresses only unless `allow_loopback_fetch`, bounded size, time and redirects), and its
image, and store the card (core/preview_cards.py)."""

from __future__ import annotations

import asyncio
from urllib.parse import urljoin, urlsplit

import httpx

from tandem.core import preview_cards
from tandem.jobs.links import MAX_REDIRECTS, fetch_page
from tandem.jobs.outbound import public_host
from tandem.jobs.worker import JobContext

IMAGE_BYTES = preview_cards.IMAGE_LIMIT


async def fetch_bytes(url: str, allow_loopback: bool, limit: int) -> bytes | None:
    """The body at this URL (None when refused, not 200, or longer than `limit`)."""
    async with httpx.AsyncClient(timeout=10, follow_redirects=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https"):
                return None
            if not allow_loopback and not await public_host(parts.hostname or ""):
                return None
            async with client.stream("GET", url, headers={"Accept": "image/*"}) as response:
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                if response.status_code != 200:
                    return None
                body = b""
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > limit:
                        return None
                return body
    return None


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
