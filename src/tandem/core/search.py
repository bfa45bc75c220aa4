"""Search for both dialects: accounts (store/account_search.py's prefix index), statuses the
caller may see by words (a full-text index), hashtags by prefix.

Nothing is fetched from other servers: a local URL, `@user` or `@user@ourdomain` finds the
local account or status, and a remote handle finds only accounts already known here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import unquote, urlsplit

from tandem.config import Settings
from tandem.core import accounts as core_accounts
from tandem.core import clock
from tandem.core.errors import NotFound
from tandem.core.models import Account, Page
from tandem.core.statuses import StatusBundle, bundle, visible
from tandem.store import accounts as account_store
from tandem.store import search as store
from tandem.store.db import Database

Kind = Literal["accounts", "statuses", "hashtags"]
KINDS: tuple[Kind, ...] = ("accounts", "statuses", "hashtags")
_TAG = re.compile(r"\A[\w·\u200c]+\Z")
_PROFILE_PATH = re.compile(r"\A/@([A-Za-z0-9_]+)(?:/([0-9]{1,19}))?/?\Z")
_ACTOR_PATH = re.compile(r"\A/ap/users/([0-9]{1,19})(?:/statuses/([0-9]{1,19}))?/?\Z")


@dataclass(frozen=True)
class TagHit:
    id: int
    name: str
    following: bool
    featuring: bool


@dataclass
class Results:
    accounts: list[Account] = field(default_factory=list)
    statuses: StatusBundle = field(default_factory=lambda: StatusBundle(statuses=[]))
    hashtags: list[TagHit] = field(default_factory=list)


@dataclass(frozen=True)
class Query:
    text: str
    kinds: tuple[Kind, ...] = KINDS
    limit: int = 20
    offset: int = 0
    following: bool = False  # accounts: only those the caller follows
    account_id: int | None = None  # statuses: only this account's
    local_only: bool = False  # statuses: only local accounts' (Misskey's host ".")
    page: Page = field(default_factory=lambda: Page(limit=20))  # statuses: min_id / max_id


def _local_path(settings: Settings, text: str) -> str | None:
    """The path of a URL on this server (None for anything else)."""
    if not text.startswith(("http://", "https://")):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.netloc.lower() != settings.domain.lower():
        return None
    return unquote(parts.path)


async def _by_url(
    db: Database, viewer: Account | None, path: str, kinds: tuple[Kind, ...]
) -> Results:
    """What a local URL names: a profile or a status (the status only if the caller may see it)."""
    found = Results()
    profile, actor = _PROFILE_PATH.match(path), _ACTOR_PATH.match(path)
    if profile is None and actor is None:
        return found
    async with db.read() as conn:
        if profile is not None:
            account = await account_store.functional_by_username(conn, profile[1], None)
            status_id = profile[2]
        else:
            assert actor is not None
            account = await account_store.get_functional(conn, int(actor[1]))
            status_id = actor[2]
        if account is None or account.suspended:
            return found
        if status_id is None:
            if "accounts" in kinds:
                found.accounts = [account]
            return found
        if "statuses" not in kinds or int(status_id) >= 2**63:
            return found
        try:
            status = await visible(conn, viewer, int(status_id))
        except NotFound:
            return found
        if status.account_id != account.id or status.reblog_of_id is not None:
            return found
        found.statuses = await bundle(conn, viewer.id if viewer else None, [status])
    return found


async def search(db: Database, settings: Settings, viewer: Account | None, q: Query) -> Results:
    """Accounts, statuses and hashtags matching `q.text`, as many as `q.limit` of each kind.

    Statuses are searched for a signed-in caller only (as Mastodon), among those they may see.
    """
    text = q.text.strip()
    if not text or q.limit <= 0:
        return Results()
    path = _local_path(settings, text)
    if path is not None:
        return await _by_url(db, viewer, path, q.kinds) if q.offset == 0 else Results()
    found = Results()
    if "accounts" in q.kinds and not text.startswith("#"):
        found.accounts = await core_accounts.search(
            db, settings, viewer, text, limit=q.limit, offset=q.offset, following=q.following
        )
    tag = text.removeprefix("#")
    statuses_wanted = "statuses" in q.kinds and viewer is not None
    tags_wanted = "hashtags" in q.kinds and _TAG.match(tag) is not None
    if not (statuses_wanted or tags_wanted):
        return found
    async with db.read() as conn:
        if statuses_wanted:
            assert viewer is not None
            hits = await store.statuses_with_words(
                conn,
                store.words(text),
                viewer_id=viewer.id,
                page=q.page,
                offset=q.offset,
                now=clock.now(),
                account_id=q.account_id,
                local_only=q.local_only,
            )
            found.statuses = await bundle(conn, viewer.id, hits)
        if tags_wanted:
            rows = await store.tags_by_prefix(
                conn,
                tag,
                limit=q.limit,
                offset=q.offset,
                viewer_id=viewer.id if viewer else None,
            )
            found.hashtags = [TagHit(*row) for row in rows]
    return found
