"""Domains a user blocks (Mastodon's /api/v1/domain_blocks).

They are stored and listed; since tandem does not federate yet, no account of another domain
exists, so a block hides nothing else for now."""

from __future__ import annotations

import re

from tandem.core import clock
from tandem.core.errors import ValidationFailed
from tandem.core.models import Account, Page
from tandem.store import domain_blocks as store
from tandem.store.db import Database

_LABEL = re.compile(r"\A[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")
DOMAIN_LIMIT = 253


def normalize(raw: str | None) -> str:
    """The domain as stored: trimmed, lower-case, IDNA (ASCII), no trailing dot."""
    domain = (raw or "").strip().rstrip(".").lower()
    if not domain:
        raise ValidationFailed.one("domain", "ERR_BLANK", "can't be blank")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationFailed.one("domain", "ERR_INVALID", "is not a valid domain") from None
    if len(domain) > DOMAIN_LIMIT or not all(_LABEL.match(x) for x in domain.split(".")):
        raise ValidationFailed.one("domain", "ERR_INVALID", "is not a valid domain")
    return domain


async def block(db: Database, owner: Account, raw: str | None) -> None:
    """Block a domain; blocking it again changes nothing."""
    domain = normalize(raw)
    async with db.write() as conn:
        await store.add(conn, owner.id, domain, clock.now())


async def unblock(db: Database, owner: Account, raw: str | None) -> None:
    domain = normalize(raw)
    async with db.write() as conn:
        await store.remove(conn, owner.id, domain)


async def page(db: Database, owner: Account, window: Page) -> list[tuple[int, str]]:
    async with db.read() as conn:
        return await store.page_for(conn, owner.id, window)
