"""rel=me link verification: a profile field proves its URL links back to the profile."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser

from tandem.core import clock
from tandem.store import accounts as account_store
from tandem.store.db import Database


class _RelMe(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("a", "link"):
            return
        values = dict(attrs)
        rel = (values.get("rel") or "").lower().split()
        href = values.get("href")
        if "me" in rel and href:
            self.hrefs.append(href.strip())


def rel_me_links(html: str) -> list[str]:
    parser = _RelMe()
    parser.feed(html)
    return parser.hrefs


def links_back(html: str, profile_url: str) -> bool:
    target = profile_url.rstrip("/").lower()
    return any(h.rstrip("/").lower() == target for h in rel_me_links(html))


async def mark_verified(db: Database, account_id: int, url: str) -> bool:
    """Set verified_at on fields whose value is still this URL."""
    async with db.write() as conn:
        account = await account_store.get(conn, account_id)
        if account is None:
            return False
        changed = False
        fields = []
        for field in account.fields:
            if field.value == url and field.verified_at is None:
                field = dataclasses.replace(field, verified_at=clock.now())
                changed = True
            fields.append(field)
        if changed:
            account.fields = fields
            await account_store.save_profile(conn, account, clock.now())
        return changed
