"""Resolving what a client names on another server (a handle, an actor or post URL), for
both dialects: found through federation (WebFinger, a signed fetch) and stored, or None."""

from __future__ import annotations

import logging

from tandem.config import Settings
from tandem.core.handles import Database
from tandem.core.models import Account
from tandem.federation import resolve

log = logging.getLogger("tandem.federation")


async def account_by_handle(
    db: Database, settings: Settings, username: str, domain: str
) -> Account | None:
    try:
        return await resolve.account_by_handle(db, settings, username, domain)
    except resolve.ResolveError as err:
        log.info("%s@%s not resolved: %s", username, domain, err)
        return None


async def handle_in(db: Database, settings: Settings, query: str) -> Account | None:
    """The remote account a query names as `user@domain` (or `@user@domain`), if any."""
    split = resolve.split_handle(query)
    if split is None or resolve.is_local_domain(settings, split[1]):
        return None
    return await account_by_handle(db, settings, *split)


async def by_url(db: Database, settings: Settings, url: str) -> tuple[Account | None, int | None]:
    """(account, status id) a URL names on another server: an actor or a post."""
    if not resolve.looks_like_url(url):
        return None, None
    try:
        return await resolve.object_by_url(db, settings, url)
    except resolve.ResolveError as err:
        log.info("%s not resolved: %s", url, err)
        return None, None


def looks_like_url(query: str) -> bool:
    return resolve.looks_like_url(query)
