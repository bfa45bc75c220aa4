"""verify_links: fetch profile field URLs and look for a rel=me link back to the profile."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import httpx

from tandem.core import accounts, links, urls
from tandem.jobs.outbound import public_host
from tandem.jobs.worker import JobContext

MAX_BYTES = 1024 * 1024
MAX_REDIRECTS = 3


async def fetch_page(url: str, allow_loopback: bool) -> str | None:
    async with httpx.AsyncClient(timeout=10, follow_redirects=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            host = urlsplit(url).hostname or ""
            if not allow_loopback and not await public_host(host):
                return None
            async with client.stream("GET", url, headers={"Accept": "text/html"}) as response:
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                if response.status_code != 200:
                    return None
                body = b""
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) >= MAX_BYTES:
                        break
                return body.decode(response.encoding or "utf-8", errors="replace")
    return None


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
