"""Collections of featured accounts (Mastodon 4.6's Collections): curated, shareable lists
of accounts one recommends following.

Rules, as Mastodon's:
- a collection has a name (at most 40 characters), an optional description (at most 100), an
  optional language and hashtag, and `sensitive` / `discoverable` flags; at most 25 items;
- only discoverable accounts can be featured, and neither side may block the other; a local
  account is featured at once (`accepted`) and told so by an `added_to_collection`
  notification; a remote one would wait for its consent (`pending`);
- the featured account can revoke its item (`revoked`: it no longer shows whom it was);
- anyone may read a collection, except someone its owner blocks; an account's list shows
  only its discoverable collections to others; the collections one is featured in are
  listed to oneself alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from tandem.core import clock
from tandem.core.accounts import require
from tandem.core.errors import Errors, Forbidden, NotFound, Unprocessable, ValidationFailed
from tandem.core.i18n import Text, too_long
from tandem.core.ids import new_id
from tandem.core.languages import is_language
from tandem.core.models import Account, AccountCollection, CollectionItem
from tandem.store import account_collections as store
from tandem.store import accounts as account_store
from tandem.store import blocks
from tandem.store import notifications as notification_store
from tandem.store import statuses as status_store
from tandem.store.db import Conn, Database

NAME_LIMIT = 40
DESCRIPTION_LIMIT = 100
MAX_ITEMS = 25
MAX_COLLECTIONS = 10  # per account: the `collection_limit` every Role advertises
PAGE_LIMIT = 40
TAG_LIMIT = 255
NOTIFICATION_TYPE = store.NOTIFICATION_TYPE
_TAG_NAME = re.compile(r"\A[\w·\u200c]*[^\W\d][\w·\u200c]*\Z")
SHOWN_STATES = ("accepted", "pending")  # items whose account is named


@dataclass
class CollectionView:
    """A collection as one viewer sees it: the items of accounts the viewer blocks left out."""

    collection: AccountCollection
    items: list[CollectionItem]


@dataclass
class CollectionsPage:
    collections: list[CollectionView]
    offset: int
    limit: int
    total: int

    @property
    def more(self) -> bool:
        return self.offset + len(self.collections) < self.total


@dataclass
class CollectionWithAccounts:
    shown: CollectionView
    owner: Account
    accounts: list[Account] = field(default_factory=list)  # the named items' accounts


def _tag(name: str | None) -> str | None:
    """A hashtag name from `tag_name` ("#" optional); "" or None: no tag."""
    if name is None:
        return None
    name = name.strip().removeprefix("#")
    return name or None


def _check(
    *,
    name: str | None,
    description: str | None,
    language: str | None,
    tag_name: str | None,
    creating: bool,
) -> Errors:
    errors = Errors()
    if name is not None or creating:
        if not (name or "").strip():
            errors.add("name", "blank", "can't be blank")
        elif len((name or "").strip()) > NAME_LIMIT:
            errors.add("name", "too_long", too_long(NAME_LIMIT))
    if description is not None and len(description.strip()) > DESCRIPTION_LIMIT:
        errors.add("description", "too_long", too_long(DESCRIPTION_LIMIT))
    if language and not is_language(language):
        errors.add("language", "invalid", "is not a valid language code (ISO 639-1, e.g. en)")
    tag = _tag(tag_name)
    if tag is not None and (len(tag) > TAG_LIMIT or not _TAG_NAME.match(tag)):
        errors.add("tag_name", "invalid", "is not a valid hashtag (letters, digits and _)")
    return errors


def _shown(collection: AccountCollection, hidden: set[int]) -> CollectionView:
    return CollectionView(collection, [i for i in collection.items if i.account_id not in hidden])


async def _views(
    conn: Conn, viewer: Account | None, found: Sequence[AccountCollection]
) -> list[CollectionView]:
    hidden: set[int] = set()
    if viewer is not None:
        hidden = await store.blocked_by(
            conn, viewer.id, {i.account_id for c in found for i in c.items}
        )
    return [_shown(c, hidden) for c in found]


async def _featureable(conn: Conn, owner: Account, target: Account) -> None:
    """Mastodon's AccountPolicy#feature?: a discoverable account, no block either way."""
    if target.suspended or not target.discoverable:
        raise Forbidden(
            Text(
                "@{acct} cannot be featured: the account is not discoverable "
                "(its owner has not chosen to be featured in collections)",
                acct=target.acct(),
            ),
            code="NOT_FEATUREABLE",
        )
    blocking, blocked = await blocks.between(conn, owner.id, target.id)
    if blocking or blocked:
        raise Forbidden(
            Text(
                "@{acct} cannot be featured while one of you blocks the other", acct=target.acct()
            ),
            code="BLOCKING" if blocking else "BLOCKED",
        )


def _payload(owner: Account, collection_id: int, name: str) -> dict[str, object]:
    return store.notification_payload(
        collection_id, f"@{owner.acct()} added you to a collection", name
    )


async def _notify(
    conn: Conn, owner: Account, collection_id: int, name: str, account_ids: Sequence[int]
) -> None:
    now = clock.now()
    for account_id in account_ids:
        if account_id == owner.id:
            continue
        await notification_store.insert(
            conn,
            account_id=account_id,
            type=NOTIFICATION_TYPE,
            now=now,
            from_account_id=owner.id,
            payload=_payload(owner, collection_id, name),
        )


async def _own(conn: Conn, owner: Account, collection_id: int) -> AccountCollection:
    """The caller's own collection: NotFound if none, Forbidden if someone else's."""
    found = await store.get(conn, collection_id)
    if found is None:
        raise NotFound("collection")
    if found.account_id != owner.id:
        raise Forbidden("Only the owner of a collection can change it", code="NOT_OWNER")
    return found


async def create(
    db: Database,
    owner: Account,
    *,
    name: str | None,
    description: str | None = None,
    language: str | None = None,
    tag_name: str | None = None,
    sensitive: bool = False,
    discoverable: bool = False,
    account_ids: Sequence[int] = (),
) -> CollectionView:
    errors = _check(
        name=name, description=description, language=language, tag_name=tag_name, creating=True
    )
    wanted = list(dict.fromkeys(account_ids))
    if len(wanted) > MAX_ITEMS:
        errors.add(
            "account_ids",
            "too_many",
            Text("are too many (maximum is {count} accounts)", count=MAX_ITEMS),
        )
    errors.raise_if_any()
    now = clock.now()
    collection_id = new_id()
    tag = _tag(tag_name)
    async with db.write() as conn:
        await account_store.lock_accounts(conn, owner.id)  # the limit holds under races too
        if await store.count_owned(conn, owner.id) >= MAX_COLLECTIONS:
            raise Unprocessable(
                Text("You cannot have more than {count} collections", count=MAX_COLLECTIONS),
                code="COLLECTION_LIMIT",
            )
        targets = [await require(conn, account_id) for account_id in wanted]
        for target in targets:
            await _featureable(conn, owner, target)
        tag_id = (await status_store.ensure_tags(conn, [tag], now))[0] if tag else None
        await store.insert(
            conn,
            collection_id=collection_id,
            account_id=owner.id,
            name=(name or "").strip(),
            description=(description or "").strip(),
            language=language or None,
            sensitive=sensitive,
            discoverable=discoverable,
            tag_id=tag_id,
            now=now,
        )
        await store.add_items(
            conn,
            [
                {
                    "id": new_id(),
                    "collection_id": collection_id,
                    "account_id": t.id,
                    "state": "accepted" if t.local else "pending",
                    "created_at": now,
                }
                for t in targets
            ],
        )
        local = [t.id for t in targets if t.local]
        await _notify(conn, owner, collection_id, (name or "").strip(), local)
        created = await store.get(conn, collection_id)
    assert created is not None
    return CollectionView(created, list(created.items))


async def update(
    db: Database,
    owner: Account,
    collection_id: int,
    *,
    name: str | None = None,
    description: str | None = None,
    language: str | None = None,
    tag_name: str | None = None,
    sensitive: bool | None = None,
    discoverable: bool | None = None,
) -> CollectionView:
    """Change what is given; what is not keeps its value. "" removes a language or tag."""
    _check(
        name=name, description=description, language=language, tag_name=tag_name, creating=False
    ).raise_if_any()
    now = clock.now()
    async with db.write() as conn:
        await _own(conn, owner, collection_id)
        values: dict[str, object] = {"updated_at": now}
        if name is not None:
            values["name"] = name.strip()
        if description is not None:
            values["description"] = description.strip()
        if language is not None:
            values["language"] = language or None
        if tag_name is not None:
            tag = _tag(tag_name)
            values["tag_id"] = (
                (await status_store.ensure_tags(conn, [tag], now))[0] if tag else None
            )
        if sensitive is not None:
            values["sensitive"] = sensitive
        if discoverable is not None:
            values["discoverable"] = discoverable
        await store.update_fields(conn, collection_id, values)
        found = await store.get(conn, collection_id)
        if found is None:
            raise NotFound("collection")
        return (await _views(conn, owner, [found]))[0]


async def delete(db: Database, owner: Account, collection_id: int) -> None:
    async with db.write() as conn:
        found = await _own(conn, owner, collection_id)
        await notification_store.delete_about_collection(
            conn, collection_id, owner.id, [i.account_id for i in found.items]
        )
        await store.delete_collection(conn, collection_id)


async def show(db: Database, viewer: Account | None, collection_id: int) -> CollectionWithAccounts:
    """A collection with its owner's and its named items' accounts."""
    async with db.read() as conn:
        found = await store.get(conn, collection_id)
        owner = await account_store.get_functional(conn, found.account_id) if found else None
        if found is None or owner is None:
            raise NotFound("collection")
        if (
            viewer is not None
            and viewer.id != owner.id
            and await blocks.exists(conn, owner.id, viewer.id)
        ):
            raise Forbidden("The owner of this collection has blocked you", code="BLOCKED")
        shown = (await _views(conn, viewer, [found]))[0]
        named = [i.account_id for i in shown.items if i.state in SHOWN_STATES]
        people = await account_store.get_many(conn, named, only_functional=True)
        return CollectionWithAccounts(shown, owner, [people[i] for i in named if i in people])


async def of_account(
    db: Database, viewer: Account | None, account_id: int, *, offset: int, limit: int
) -> CollectionsPage:
    """An account's collections, newest first: all of them for the owner, the discoverable
    ones for others, none for someone the owner blocks."""
    offset, limit = max(offset, 0), max(1, min(limit, PAGE_LIMIT * 2))
    async with db.read() as conn:
        owner = await require(conn, account_id)
        mine = viewer is not None and viewer.id == owner.id
        if viewer is not None and not mine and await blocks.exists(conn, owner.id, viewer.id):
            return CollectionsPage([], offset, limit, 0)
        ids, total = await store.owned_ids(
            conn, owner.id, discoverable_only=not mine, offset=offset, limit=limit
        )
        found = await store.in_order(conn, ids)
        return CollectionsPage(await _views(conn, viewer, found), offset, limit, total)


async def featuring(
    db: Database, viewer: Account, account_id: int, *, offset: int, limit: int
) -> CollectionsPage:
    """The collections an account is featured in; only that account may list them."""
    offset, limit = max(offset, 0), max(1, min(limit, PAGE_LIMIT * 2))
    async with db.read() as conn:
        target = await require(conn, account_id)
        if target.id != viewer.id:
            raise Forbidden(
                "Only an account itself can list the collections it is featured in",
                code="NOT_OWNER",
            )
        ids, total = await store.featuring_ids(conn, target.id, offset=offset, limit=limit)
        found = await store.in_order(conn, ids)
        return CollectionsPage(await _views(conn, viewer, found), offset, limit, total)


async def add_item(
    db: Database, owner: Account, collection_id: int, account_id: int | None
) -> CollectionItem:
    """Feature an account; one already featured (or being asked) answers its item as is."""
    if account_id is None:
        raise ValidationFailed.one("account_id", "blank", "can't be blank")
    async with db.write() as conn:
        await _own(conn, owner, collection_id)
        target = await require(conn, account_id)
        await store.lock_collection(conn, collection_id)
        found = await _own(conn, owner, collection_id)  # not deleted meanwhile
        present = await store.item_of(conn, collection_id, target.id)
        if present is not None:
            if present.state in SHOWN_STATES:
                return present  # already done
            raise Unprocessable(
                Text(
                    "@{acct} has withdrawn from this collection and cannot be added again",
                    acct=target.acct(),
                ),
                code="REVOKED",
            )
        await _featureable(conn, owner, target)
        if len(found.items) >= MAX_ITEMS:
            raise Unprocessable(
                Text(
                    "A collection holds at most {count} accounts: remove one first", count=MAX_ITEMS
                ),
                code="TOO_MANY_ITEMS",
            )
        now = clock.now()
        await store.add_items(
            conn,
            [
                {
                    "id": new_id(),
                    "collection_id": collection_id,
                    "account_id": target.id,
                    "state": "accepted" if target.local else "pending",
                    "created_at": now,
                }
            ],
        )
        if target.local:
            await _notify(conn, owner, collection_id, found.name, [target.id])
        await store.update_fields(conn, collection_id, {"updated_at": now})
        made = await store.item_of(conn, collection_id, target.id)
    assert made is not None
    return made


async def delete_item(db: Database, owner: Account, collection_id: int, item_id: int) -> None:
    async with db.write() as conn:
        await _own(conn, owner, collection_id)
        found = await store.item(conn, collection_id, item_id)
        if found is None:
            raise NotFound("collection_item")
        await notification_store.delete_about_collection(
            conn, collection_id, owner.id, [found.account_id]
        )
        await store.delete_item(conn, found.id)
        await store.update_fields(conn, collection_id, {"updated_at": clock.now()})


async def revoke_item(db: Database, viewer: Account, collection_id: int, item_id: int) -> None:
    """The featured account withdraws from a collection (again: nothing more to do)."""
    async with db.write() as conn:
        found = await store.item(conn, collection_id, item_id)
        if found is None:
            raise NotFound("collection_item")
        if found.account_id != viewer.id:
            raise Forbidden(
                "Only the featured account can revoke its place in a collection",
                code="NOT_FEATURED",
            )
        if found.state != "revoked":
            await store.set_state(conn, found.id, "revoked")


async def for_notifications(
    conn: Conn, viewer: Account, ids: set[int]
) -> dict[int, CollectionView]:
    """The collections notifications name, as the notified account sees them."""
    found = await store.get_many(conn, ids)
    return {c.collection.id: c for c in await _views(conn, viewer, list(found.values()))}
