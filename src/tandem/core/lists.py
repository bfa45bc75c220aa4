"""User lists: Mastodon lists and Misskey user lists are the same records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Literal, cast

from tandem.core import clock
from tandem.core.accounts import require
from tandem.core.errors import Errors, NotFound, Unprocessable, ValidationFailed
from tandem.core.i18n import Text, one_of, too_long
from tandem.core.ids import new_id
from tandem.core.models import Account, Page, UserList
from tandem.store import accounts as account_store
from tandem.store import blocks, follows
from tandem.store import lists as store
from tandem.store.db import Conn, Database

MAX_LISTS = 50
MAX_MEMBERS = 1000
TITLE_LIMIT = 100
REPLIES_POLICIES = ("followed", "list", "none")
RepliesPolicy = Literal["followed", "list", "none"]


def _check(title: str | None, replies_policy: str | None) -> Errors:
    errors = Errors()
    if title is not None:
        if not title.strip():
            errors.add("title", "blank", "can't be blank")
        elif len(title.strip()) > TITLE_LIMIT:
            errors.add("title", "too_long", too_long(TITLE_LIMIT))
    if replies_policy is not None and replies_policy not in REPLIES_POLICIES:
        errors.add("replies_policy", "inclusion", one_of(REPLIES_POLICIES))
    return errors


async def own(conn: Conn, owner: Account, list_id: int) -> UserList:
    found = await store.get_list(conn, list_id)
    if found is None or found.account_id != owner.id:
        raise NotFound("list")
    return found


async def all_of(db: Database, owner: Account) -> list[UserList]:
    async with db.read() as conn:
        return await store.lists_of(conn, owner.id)


async def get(db: Database, owner: Account, list_id: int) -> UserList:
    async with db.read() as conn:
        return await own(conn, owner, list_id)


async def create(
    db: Database,
    owner: Account,
    title: str | None,
    replies_policy: str | None = None,
    exclusive: bool = False,
) -> UserList:
    errors = _check(title if title is not None else "", replies_policy)
    errors.raise_if_any()
    assert title is not None
    async with db.write() as conn:
        await account_store.lock_accounts(conn, owner.id)  # the limit holds under races too
        if await store.count_lists(conn, owner.id) >= MAX_LISTS:
            raise Unprocessable(
                Text("You cannot have more than {count} lists", count=MAX_LISTS), code="LIST_LIMIT"
            )
        created = UserList(
            id=new_id(),
            account_id=owner.id,
            title=title.strip(),
            replies_policy=cast(RepliesPolicy, replies_policy or "list"),
            exclusive=exclusive,
        )
        await store.insert_list(conn, created, clock.now())
    return created


async def update(
    db: Database,
    owner: Account,
    list_id: int,
    *,
    title: str | None = None,
    replies_policy: str | None = None,
    exclusive: bool | None = None,
) -> UserList:
    _check(title, replies_policy).raise_if_any()
    async with db.write() as conn:
        current = await own(conn, owner, list_id)
        updated = replace(
            current,
            title=title.strip() if title is not None else current.title,
            replies_policy=cast(RepliesPolicy, replies_policy or current.replies_policy),
            exclusive=current.exclusive if exclusive is None else exclusive,
        )
        await store.update_list(conn, updated)
    return updated


async def delete(db: Database, owner: Account, list_id: int) -> None:
    async with db.write() as conn:
        await own(conn, owner, list_id)
        await store.delete_list(conn, list_id)


async def add(
    db: Database,
    owner: Account,
    list_id: int,
    account_ids: Sequence[int],
    *,
    require_follow: bool,
    allow_existing: bool = True,
) -> None:
    """Add accounts to a list. Mastodon only lists accounts one follows (or asked to follow)."""
    if not account_ids:
        raise ValidationFailed.one("account_ids", "blank", "can't be blank")
    async with db.write() as conn:
        await own(conn, owner, list_id)
        # Lock order (store/writes.py): the accounts (an unfollow or block of a target, which
        # drops it from the owner's lists, waits for us), then the list: membership checks and
        # the size limit hold against concurrent adds to this list.
        await account_store.lock_accounts(conn, owner.id, *account_ids)
        await store.lock_list(conn, list_id)
        await own(conn, owner, list_id)  # not deleted meanwhile
        present = await store.member_ids(conn, list_id)
        adding: list[int] = []
        for account_id in dict.fromkeys(account_ids):
            target = await require(conn, account_id)
            if await blocks.exists(conn, target.id, owner.id):
                raise Unprocessable(
                    "That account has blocked you, so it cannot be listed",
                    code="YOU_HAVE_BEEN_BLOCKED",
                )
            if account_id in present:
                if not allow_existing:
                    raise Unprocessable("That account is already in the list", code="ALREADY_ADDED")
                continue
            if (
                require_follow
                and target.id != owner.id
                and not await follows.exists(conn, owner.id, target.id)
                and not await follows.request_exists(conn, owner.id, target.id)
            ):
                raise Unprocessable(
                    "You must follow an account before adding it to a list",
                    code="NOT_FOLLOWING",
                )
            adding.append(target.id)
        if len(present) + len(adding) > MAX_MEMBERS:
            raise Unprocessable(
                Text("A list holds at most {count} accounts", count=MAX_MEMBERS),
                code="TOO_MANY_USERS",
            )
        await store.add_members(conn, list_id, adding, clock.now())


async def remove(db: Database, owner: Account, list_id: int, account_ids: Sequence[int]) -> None:
    async with db.write() as conn:
        await own(conn, owner, list_id)
        await store.remove_members(conn, list_id, list(account_ids))


async def members(db: Database, owner: Account, list_id: int, page: Page) -> list[Account]:
    async with db.read() as conn:
        await own(conn, owner, list_id)
        return [a for a in await store.members(conn, list_id, page) if not a.suspended]


async def containing(db: Database, owner: Account, account_id: int) -> list[UserList]:
    async with db.read() as conn:
        target = await require(conn, account_id)
        if target.suspended:
            return []
        return await store.lists_containing(conn, owner.id, target.id)
