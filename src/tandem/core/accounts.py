"""Finding accounts: by id, by handle, by search, and their follower/following lists."""

from __future__ import annotations

from collections.abc import Sequence

from tandem.config import Settings
from tandem.core import caller_cache, clock
from tandem.core.errors import NotFound, Unprocessable
from tandem.core.i18n import Text
from tandem.core.models import Account, Page
from tandem.store import account_search, blocks
from tandem.store import accounts as store
from tandem.store import relationships as pairs
from tandem.store.db import Conn, Database

MAX_IDS = 40


async def require(conn: Conn, account_id: int | None) -> Account:
    """An account others may see: it exists and, if local, is confirmed and approved."""
    account = await store.get_functional(conn, account_id) if account_id else None
    if account is None:
        raise NotFound("account")
    return account


async def get(db: Database, account_id: int | None) -> Account:
    account = await caller_cache.functional_account(db, account_id) if account_id else None
    if account is None:
        raise NotFound("account")
    return account


async def find(db: Database, account_id: int) -> Account | None:
    """Any account by id, even one others may not see yet: the owner a job acts for."""
    async with db.read() as conn:
        return await store.get(conn, account_id)


async def get_many(db: Database, ids: Sequence[int]) -> list[Account]:
    if len(set(ids)) > MAX_IDS:
        raise Unprocessable(
            Text("At most {count} ids can be looked up at once", count=MAX_IDS),
            code="TOO_MANY_IDS",
        )
    async with db.read() as conn:
        found = await store.get_many(conn, ids, only_functional=True)
    return sorted(found.values(), key=lambda a: a.id)


def parse_acct(settings: Settings, acct: str) -> tuple[str, str | None]:
    """`@user`, `user`, `user@localdomain`, `user@remote` → (username, domain or None)."""
    handle = acct.strip().removeprefix("@")
    username, _, domain = handle.partition("@")
    local_host = settings.domain.lower()
    if not domain or domain.lower() in (local_host, local_host.split(":")[0]):
        return username, None
    return username, domain


async def lookup(db: Database, settings: Settings, acct: str | None) -> Account:
    if not acct:
        raise NotFound("account")
    username, domain = parse_acct(settings, acct)
    account = await caller_cache.functional_by_name(db, username, domain)  # cached per worker
    if account is None:
        raise NotFound("account")
    return account


async def search(
    db: Database,
    settings: Settings,
    viewer: Account | None,
    query: str,
    *,
    limit: int,
    offset: int,
    following: bool,
) -> list[Account]:
    """Local search only: remote handles are found if already known (no WebFinger here)."""
    terms = query.strip().removeprefix("@")
    if not terms:
        return []
    username, domain = parse_acct(settings, terms) if "@" in terms else (terms, None)
    async with db.read() as conn:
        # Blocked accounts (either way) are left out by the query itself: pages stay full.
        return await account_search.search(
            conn,
            username,
            domain=domain,
            limit=limit,
            offset=offset,
            viewer_id=viewer.id if viewer else None,
            only_following=following,
        )


async def _collection(
    db: Database,
    viewer: Account | None,
    account_id: int,
    page: Page,
    *,
    owner_side: str,
) -> list[tuple[int, Account]]:
    async with db.read() as conn:
        owner = await require(conn, account_id)
        is_owner = viewer is not None and viewer.id == owner.id
        if owner.suspended or not (
            is_owner or await _may_see_collection(conn, owner, viewer, owner_side)
        ):
            return []
        blocked = (
            viewer is not None and not is_owner and await blocks.exists(conn, owner.id, viewer.id)
        )
        if blocked:
            return []
        rows = await pairs.page(
            conn,
            "follows",
            owner_id=owner.id,
            owner_side=owner_side,
            page=page,
            now=clock.now(),
            hide_for_viewer=viewer.id if viewer is not None and not is_owner else None,
        )
    return [(cursor, account) for cursor, account, _ in rows]


async def _may_see_collection(
    conn: Conn, owner: Account, viewer: Account | None, owner_side: str
) -> bool:
    """Misskey's followers/following visibility (Mastodon's hide_collections sets both)."""
    setting = owner.followers_visibility if owner_side == "target" else owner.following_visibility
    if setting == "public":
        return True
    if setting == "followers" and viewer is not None:
        return await pairs.is_following(conn, viewer.id, owner.id)
    return False


async def followers(
    db: Database, viewer: Account | None, account_id: int, page: Page
) -> list[tuple[int, Account]]:
    """Who follows the account, newest follow first; cursors are follow ids."""
    return await _collection(db, viewer, account_id, page, owner_side="target")


async def following(
    db: Database, viewer: Account | None, account_id: int, page: Page
) -> list[tuple[int, Account]]:
    return await _collection(db, viewer, account_id, page, owner_side="account")


async def endorsed_by(db: Database, account_id: int, page: Page) -> list[tuple[int, Account]]:
    """Accounts featured on a profile; paged by account id as Mastodon does."""
    async with db.read() as conn:
        owner = await require(conn, account_id)
        if owner.suspended:
            return []
        rows = await pairs.page(
            conn,
            "endorsements",
            owner_id=owner.id,
            owner_side="account",
            page=page,
            now=clock.now(),
            cursor="account",
        )
    return [(cursor, account) for cursor, account, _ in rows if not account.suspended]


async def familiar_followers(
    db: Database, viewer: Account, ids: Sequence[int]
) -> list[tuple[int, list[Account]]]:
    async with db.read() as conn:
        found = await store.get_many(conn, ids, only_functional=True)
        targets = [found[i] for i in dict.fromkeys(ids) if i in found and not found[i].suspended]
        hidden = {a.id for a in targets if a.hide_collections and a.id != viewer.id}
        known = await pairs.followers_of_both(conn, viewer.id, [a.id for a in targets])
    return [(a.id, [] if a.id in hidden else known.get(a.id, [])) for a in targets]
