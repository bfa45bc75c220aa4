"""Queries on accounts and their counters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, func, or_, select, update

from tandem.core.ids import new_id
from tandem.core.models import Account, ImageRef, ProfileField
from tandem.store.db import AnyRow, Conn
from tandem.store.generations import accounts_changed, everything_changed
from tandem.store.query import Query, among
from tandem.store.schema import account_search_terms, accounts, users
from tandem.store.writes import bump, insert_ignoring, insert_new, lock


def image_to_json(image: ImageRef | None) -> dict[str, Any] | None:
    if image is None:
        return None
    return {
        "path": image.path,
        "content_type": image.content_type,
        "static_path": image.static_path,
        "width": image.width,
        "height": image.height,
        "size": image.size,
    }


def image_from_json(data: dict[str, Any] | None) -> ImageRef | None:
    return None if data is None else ImageRef(**data)


def _field_from_json(data: dict[str, Any]) -> ProfileField:
    verified = data.get("verified_at")
    return ProfileField(
        name=data["name"],
        value=data["value"],
        verified_at=datetime.fromisoformat(verified) if verified else None,
        value_html=data.get("value_html", ""),
    )


def fields_to_json(fields: Iterable[ProfileField]) -> list[dict[str, Any]]:
    return [
        {
            "name": f.name,
            "value": f.value,
            "verified_at": f.verified_at.isoformat() if f.verified_at else None,
            "value_html": f.value_html,
        }
        for f in fields
    ]


def from_row(row: AnyRow) -> Account:
    return from_mapping(row._mapping)


def from_mapping(m: Mapping[Any, Any]) -> Account:
    return Account(
        id=m["id"],
        username=m["username"],
        domain=m["domain"],
        created_at=m["created_at"],
        display_name=m["display_name"],
        note=m["note"],
        note_html=m["note_html"],
        fields=[_field_from_json(f) for f in m["fields"]],
        locked=m["locked"],
        bot=m["bot"],
        group=m["is_group"],
        discoverable=m["discoverable"],
        indexable=m["indexable"],
        hide_collections=m["hide_collections"],
        noindex=m["noindex"],
        show_media=m["show_media"],
        show_media_replies=m["show_media_replies"],
        show_featured=m["show_featured"],
        avatar=image_from_json(m["avatar"]),
        header=image_from_json(m["header"]),
        avatar_description=m["avatar_description"],
        header_description=m["header_description"],
        attribution_domains=list(m["attribution_domains"]),
        followers_count=max(m["followers_count"], 0),
        following_count=max(m["following_count"], 0),
        statuses_count=max(m["statuses_count"], 0),
        last_status_at=m["last_status_at"],
        suspended_at=m["suspended_at"],
        memorial=m["memorial"],
        role=m["role"],
        location=m["location"],
        birthday=m["birthday"],
        lang=m["lang"],
        is_cat=m["is_cat"],
        hide_online_status=m["hide_online_status"],
        public_reactions=m["public_reactions"],
        following_visibility=m["following_visibility"],
        followers_visibility=m["followers_visibility"],
        chat_scope=m["chat_scope"],
        prevent_ai_learning=m["prevent_ai_learning"],
        auto_accept_followed=m["auto_accept_followed"],
        careful_bot=m["careful_bot"],
        avatar_file_id=m["avatar_file_id"],
        banner_file_id=m["banner_file_id"],
        last_active_at=m["last_active_at"],
        uri=m["uri"],
        url=m["url"],
        updated_at=m["updated_at"],
        actor_type=m["actor_type"],
        inbox_url=m["inbox_url"],
        shared_inbox_url=m["shared_inbox_url"],
        outbox_url=m["outbox_url"],
        followers_url=m["followers_url"],
        following_url=m["following_url"],
        featured_url=m["featured_url"],
        fetched_at=m["fetched_at"],
        also_known_as=list(m["also_known_as"]),
        moved_to_account_id=m["moved_to_account_id"],
        silenced_at=m["silenced_at"],
    )


def profile_values(account: Account) -> dict[str, Any]:
    """The columns a profile edit may change."""
    return {
        "display_name": account.display_name,
        "note": account.note,
        "note_html": account.note_html,
        "fields": fields_to_json(account.fields),
        "locked": account.locked,
        "bot": account.bot,
        "discoverable": account.discoverable,
        "indexable": account.indexable,
        "hide_collections": account.hide_collections,
        "noindex": account.noindex,
        "show_media": account.show_media,
        "show_media_replies": account.show_media_replies,
        "show_featured": account.show_featured,
        "avatar": image_to_json(account.avatar),
        "header": image_to_json(account.header),
        "avatar_description": account.avatar_description,
        "header_description": account.header_description,
        "attribution_domains": account.attribution_domains,
        "memorial": account.memorial,
        "suspended_at": account.suspended_at,
        "location": account.location,
        "birthday": account.birthday,
        "lang": account.lang,
        "is_cat": account.is_cat,
        "hide_online_status": account.hide_online_status,
        "public_reactions": account.public_reactions,
        "following_visibility": account.following_visibility,
        "followers_visibility": account.followers_visibility,
        "chat_scope": account.chat_scope,
        "prevent_ai_learning": account.prevent_ai_learning,
        "auto_accept_followed": account.auto_accept_followed,
        "careful_bot": account.careful_bot,
        "avatar_file_id": account.avatar_file_id,
        "banner_file_id": account.banner_file_id,
    }


async def insert(conn: Conn, account: Account) -> bool:
    """Create the account; False (nothing written) when its username is already taken."""
    created = await insert_new(
        conn,
        accounts,
        dict(
            id=account.id,
            username=account.username,
            username_key=account.username.lower(),
            domain=account.domain,
            domain_key=(account.domain or "").lower(),
            created_at=account.created_at,
            updated_at=account.updated_at or account.created_at,
            uri=account.uri,
            url=account.url,
            role=account.role,
            **profile_values(account),
        ),
        on=("username_key", "domain_key"),
    )
    if created:
        await _add_terms(conn, account.id, search_terms(account.username, account.display_name))
    return created


async def lock_accounts(conn: Conn, *account_ids: int) -> None:
    """Hold these accounts' rows until commit (PostgreSQL): writes between the same accounts
    (follow, unfollow, block…, their counters) then run one after the other."""
    await lock(conn, accounts, account_ids)


async def save_profile(conn: Conn, account: Account, updated_at: datetime) -> None:
    account.updated_at = updated_at
    accounts_changed(account.id)
    await conn.execute(
        update(accounts)
        .where(accounts.c.id == account.id)
        .values(updated_at=updated_at, **profile_values(account))
    )
    await _replace_name_terms(conn, account)


_COLUMNS = tuple(accounts.c.keys())
_GET = Query(select(accounts).where(accounts.c.id == bindparam("id")))


def from_values(values: Sequence[Any]) -> Account:
    """An account from a `Query` row of all its columns."""
    return from_mapping(dict(zip(_COLUMNS, values, strict=True)))


async def get(conn: Conn, account_id: int) -> Account | None:
    row = await _GET.first(conn, id=account_id)
    return from_values(row) if row else None


_GET_MANY = Query(select(accounts).where(among(accounts.c.id, "ids")))


async def get_many(
    conn: Conn, ids: Iterable[int], *, only_functional: bool = False
) -> dict[int, Account]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    query = _GET_MANY_FUNCTIONAL if only_functional else _GET_MANY
    return {a.id: a for a in map(from_values, await query.rows(conn, ids=wanted))}


async def in_order(conn: Conn, ids: Sequence[int]) -> list[Account]:
    found = await get_many(conn, ids)
    return [found[i] for i in ids if i in found]


async def get_functional(conn: Conn, account_id: int) -> Account | None:
    row = await _GET_FUNCTIONAL.first(conn, id=account_id)
    return from_values(row) if row else None


async def by_username(conn: Conn, username: str, domain: str | None = None) -> Account | None:
    row = (
        await conn.execute(
            select(accounts).where(
                accounts.c.username_key == username.lower(),
                accounts.c.domain_key == (domain or "").lower(),
            )
        )
    ).first()
    return from_row(row) if row else None


async def username_taken(conn: Conn, username: str) -> bool:
    found = await conn.scalar(
        select(accounts.c.id).where(
            accounts.c.username_key == username.lower(), accounts.c.domain_key == ""
        )
    )
    return found is not None


async def adjust_counts(
    conn: Conn,
    account_id: int,
    *,
    followers: int = 0,
    following: int = 0,
    statuses: int = 0,
    last_status_at: datetime | None = None,
) -> None:
    """Move counters by a delta in one statement (never below zero). Call it only for a row
    this transaction really inserted or deleted, so the counters stay equal to the rows."""
    values: dict[str, Any] = {}
    if followers:
        values["followers_count"] = bump(accounts.c.followers_count, followers)
    if following:
        values["following_count"] = bump(accounts.c.following_count, following)
    if statuses:
        values["statuses_count"] = bump(accounts.c.statuses_count, statuses)
    if last_status_at is not None:
        values["last_status_at"] = last_status_at
    if values:
        accounts_changed(account_id)
        await conn.execute(update(accounts).where(accounts.c.id == account_id).values(**values))


async def set_last_status_at(conn: Conn, account_id: int, moment: datetime | None) -> None:
    accounts_changed(account_id)
    await conn.execute(
        update(accounts).where(accounts.c.id == account_id).values(last_status_at=moment)
    )


async def set_last_active_at(conn: Conn, account_id: int, moment: datetime) -> None:
    accounts_changed(account_id)
    await conn.execute(
        update(accounts).where(accounts.c.id == account_id).values(last_active_at=moment)
    )


def functional() -> ColumnElement[bool]:
    """Remote accounts, and local ones whose user is confirmed and approved.

    Accounts still waiting for e-mail confirmation or approval do not exist to others yet.
    """
    return or_(
        accounts.c.domain.is_(None)
        & select(users.c.id)
        .where(
            users.c.account_id == accounts.c.id,
            users.c.confirmed_at.is_not(None),
            users.c.approved.is_(True),
        )
        .exists(),
        accounts.c.domain.is_not(None),
    )


_GET_FUNCTIONAL = Query(select(accounts).where(accounts.c.id == bindparam("id"), functional()))
_GET_MANY_FUNCTIONAL = Query(select(accounts).where(among(accounts.c.id, "ids"), functional()))
_FUNCTIONAL_BY_USERNAME = Query(
    select(accounts).where(
        accounts.c.username_key == bindparam("username"),
        accounts.c.domain_key == bindparam("domain"),
        functional(),
    )
)


async def functional_by_username(
    conn: Conn, username: str, domain: str | None = None
) -> Account | None:
    """`by_username`, only if others may see the account (`functional`): in one query."""
    row = await _FUNCTIONAL_BY_USERNAME.first(
        conn, username=username.lower(), domain=(domain or "").lower()
    )
    return from_values(row) if row else None


USERNAME_TERM, NAME_TERM = 0, 1  # kinds of account_search_terms rows
TERM_LENGTH = 100
_NAME_WORDS = 10


def search_text(text: str) -> str:
    """Text as search terms hold it: lower-cased, single spaces, at most TERM_LENGTH long."""
    return " ".join(text.lower().split())[:TERM_LENGTH]


def search_terms(username: str, display_name: str) -> set[tuple[int, str]]:
    """What account search matches on: the username, and each tail of the display name that
    starts at a word (so a prefix of any word, or of several words in a row, is a range)."""
    words = display_name.lower().split()[:_NAME_WORDS]
    tails = {(NAME_TERM, search_text(" ".join(words[i:]))) for i in range(len(words))}
    return {(USERNAME_TERM, search_text(username)), *tails}


async def _add_terms(conn: Conn, account_id: int, terms: set[tuple[int, str]]) -> None:
    rows = [{"kind": k, "term": t, "account_id": account_id} for k, t in sorted(terms) if t]
    if rows:
        await conn.execute(insert_ignoring(conn, account_search_terms, rows, None))


async def refresh_search_terms(conn: Conn, account: Account) -> None:
    """A remote account's terms after its actor document was read (new or changed)."""
    await _add_terms(conn, account.id, search_terms(account.username, account.display_name))
    await _replace_name_terms(conn, account)


async def _replace_name_terms(conn: Conn, account: Account) -> None:
    """Runs after the account row's UPDATE, whose row lock orders concurrent profile saves."""
    names = {t for k, t in search_terms(account.username, account.display_name) if k}
    await conn.execute(
        delete(account_search_terms).where(
            account_search_terms.c.account_id == account.id,
            account_search_terms.c.kind == NAME_TERM,
            account_search_terms.c.term.not_in(names),
        )
    )
    await _add_terms(conn, account.id, {(NAME_TERM, t) for t in names})


async def count_local(conn: Conn) -> int:
    return int(
        await conn.scalar(
            select(func.count()).select_from(accounts).where(accounts.c.domain.is_(None))
        )
        or 0
    )


async def set_role(conn: Conn, account_id: int, role: str) -> None:
    accounts_changed(account_id)
    await conn.execute(update(accounts).where(accounts.c.id == account_id).values(role=role))


async def set_suspended(
    conn: Conn, account: Account, moment: datetime | None, updated_at: datetime
) -> None:
    """Suspend (a moment) or lift it (None). What others are shown changes with it (the
    follow requests it sent stop counting), so every cached entry goes."""
    account.suspended_at = moment
    everything_changed()
    await save_profile(conn, account, updated_at)


async def ids_by_uris(conn: Conn, uris: Sequence[str]) -> dict[str, int]:
    """Remote accounts' ids by actor URI (local accounts have none stored)."""
    wanted = sorted(set(uris))
    if not wanted:
        return {}
    rows = await conn.execute(
        select(accounts.c.uri, accounts.c.id).where(accounts.c.uri.in_(wanted))
    )
    return {str(uri): int(account_id) for uri, account_id in rows}


# --- remote accounts (ActivityPub) ---


async def save_remote_account(
    conn: Conn, values: dict[str, Any], now: datetime, *, created_at: datetime
) -> int:
    """Insert or refresh a remote actor, found by its id, else by its handle (an actor made
    again under the same handle takes over the row): the account's id."""
    uri = values["uri"]
    keyed = {
        **values,
        "username_key": values["username"].lower(),
        "domain_key": values["domain"].lower(),
        "fetched_at": now,
        "updated_at": now,
    }
    found = await conn.scalar(select(accounts.c.id).where(accounts.c.uri == uri))
    if found is None:
        found = await conn.scalar(
            select(accounts.c.id).where(
                accounts.c.username_key == keyed["username_key"],
                accounts.c.domain_key == keyed["domain_key"],
            )
        )
    if found is None:
        account_id = new_id()
        if await insert_new(
            conn, accounts, {**keyed, "id": account_id, "created_at": created_at}, on=None
        ):
            await _index(conn, account_id)
            return account_id
        found = await conn.scalar(select(accounts.c.id).where(accounts.c.uri == uri))
        if found is None:  # the handle's row appeared meanwhile
            found = await conn.scalar(
                select(accounts.c.id).where(
                    accounts.c.username_key == keyed["username_key"],
                    accounts.c.domain_key == keyed["domain_key"],
                )
            )
        assert found is not None
    account_id = int(found)
    accounts_changed(account_id)
    await conn.execute(update(accounts).where(accounts.c.id == account_id).values(**keyed))
    await _index(conn, account_id)
    return account_id


async def _index(conn: Conn, account_id: int) -> None:
    account = await get(conn, account_id)
    assert account is not None
    await refresh_search_terms(conn, account)


async def set_silenced_on(conn: Conn, domain_keys: Sequence[str], moment: datetime | None) -> None:
    """Silence (a moment) or lift (None) every account of these domains (`domain_key`s)."""
    if not domain_keys:
        return
    everything_changed()
    await conn.execute(
        update(accounts)
        .where(accounts.c.domain_key.in_(list(domain_keys)), accounts.c.domain.is_not(None))
        .values(silenced_at=moment)
    )


async def set_moved_to(conn: Conn, account_id: int, target_id: int | None) -> None:
    accounts_changed(account_id)
    await conn.execute(
        update(accounts).where(accounts.c.id == account_id).values(moved_to_account_id=target_id)
    )


async def set_also_known_as(conn: Conn, account_id: int, aliases: list[str]) -> None:
    accounts_changed(account_id)
    await conn.execute(
        update(accounts).where(accounts.c.id == account_id).values(also_known_as=aliases)
    )
