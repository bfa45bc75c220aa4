"""verify_links: fetch profile field URLs and look for a rel=me link back to the profile."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import httpx

from tandem.core import accounts, links, urls
from tandem.jobs.outbound import public_host
from tandem.jobs.worker import JobContext
from tandem.tls import client_context

MAX_BYTES = 1024 * 1024
MAX_REDIRECTS = 3
STEP_SECONDS = 10.0


async def fetch(
    url: str, allow_loopback: bool, *, accept: str, limit: int, step: float = STEP_SECONDS
) -> tuple[bytes, str | None] | None:
    """The body at this http(s) URL and its declared encoding, through the outbound guard
    (public hosts only unless `allow_loopback`, at most MAX_REDIRECTS redirects, each hop
    checked), read until it passes `limit` bytes (the caller decides whether a longer body
    will do); None when refused or not 200. `step` bounds each step (connect, each read)."""
    async with httpx.AsyncClient(
        timeout=step, follow_redirects=False, verify=client_context()
    ) as client:
        for _ in range(MAX_REDIRECTS + 1):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https"):
                return None
            if not allow_loopback and not await public_host(parts.hostname or ""):
                return None
            async with client.stream("GET", url, headers={"Accept": accept}) as response:
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                if response.status_code != 200:
                    return None
                body = b""
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > limit:
                        break
                return body, response.encoding
    return None


async def fetch_page(url: str, allow_loopback: bool, step: float = STEP_SECONDS) -> str | None:
    """An HTML page's text: its first MAX_BYTES (and the rest of the chunk that passed them)."""
    found = await fetch(url, allow_loopback, accept="text/html", limit=MAX_BYTES - 1, step=step)
    if found is None:
        return None
    body, encoding = found
    return body.decode(encoding or "utf-8", errors="replace")


async def verify_links(ctx: JobContext) -> None:
    services = ctx.services
    account = await accounts.find(services.db, ctx.payload["account_id"])
    if account is None:
        return
    profile = urls.profile_url(services.settings, account)
    for url in ctx.payload["urls"]:
        try:
            page = await fetch_page(url, services.settings.allow_loopback_fetch)
        except httpx.HTTPError:
            continue  # an unreachable site stays unverified; the next profile edit retries
        if page is not None and links.links_back(page, profile):
            await links.mark_verified(services.db, account.id, url)
