"""Queries on statuses (Misskey: notes), their tags, mentions, pins and reblogs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    and_,
    bindparam,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
    update,
)

from tandem.core.ids import new_id
from tandem.core.models import Mention, Page, Status, Visibility
from tandem.core.text import tag_key
from tandem.store.db import AnyRow, Conn
from tandem.store.generations import accounts_changed, some_notifications_changed
from tandem.store.media import attachments_for
from tandem.store.paging import newest_first
from tandem.store.query import Query, among
from tandem.store.schema import (
    accounts,
    blocks,
    favorites,
    follows,
    media_attachments,
    mentions,
    mutes,
    status_pins,
    status_tags,
    statuses,
    tags,
)
from tandem.store.writes import bump, dialect_of, insert_ignoring, insert_new, lock


def from_row(row: AnyRow) -> Status:
    return from_mapping(row._mapping)


_COLUMNS = tuple(statuses.c.keys())


def from_values(values: Sequence[Any]) -> Status:
    """A status from a `Query` row of all its columns."""
    return from_mapping(dict(zip(_COLUMNS, values, strict=True)))


def from_mapping(m: Mapping[Any, Any]) -> Status:
    return Status(
        id=m["id"],
        account_id=m["account_id"],
        text=m["text"],
        content=m["content"],
        created_at=m["created_at"],
        visibility=m["visibility"],
        spoiler_text=m["spoiler_text"],
        sensitive=m["sensitive"],
        language=m["language"],
        in_reply_to_id=m["in_reply_to_id"],
        in_reply_to_account_id=m["in_reply_to_account_id"],
        reblog_of_id=m["reblog_of_id"],
        application_id=m["application_id"],
        edited_at=m["edited_at"],
        replies_count=max(m["replies_count"], 0),
        reblogs_count=max(m["reblogs_count"], 0),
        favourites_count=max(m["favourites_count"], 0),
        poll_id=m.get("poll_id"),
        quote_of_id=m.get("quote_of_id"),
        quote_state=m.get("quote_state"),
        quote_policy=m.get("quote_policy"),
        quotes_count=max(m.get("quotes_count") or 0, 0),
        uri=m.get("uri"),
        url=m.get("url"),
    )


_TAGS_OF = Query(
    select(status_tags.c.status_id, tags.c.name)
    .join(tags, tags.c.id == status_tags.c.tag_id)
    .where(among(status_tags.c.status_id, "ids"))
)
_MENTIONS_OF = Query(
    select(mentions.c.status_id, accounts.c.id, accounts.c.username, accounts.c.domain)
    .join(accounts, accounts.c.id == mentions.c.account_id)
    .where(among(mentions.c.status_id, "ids"))
)


async def _decorate(conn: Conn, found: list[Status]) -> list[Status]:
    """Attach tags, mentions and media to a batch of statuses (three queries in all)."""
    if not found:
        return found
    ids = [s.id for s in found]
    by_status: dict[int, list[str]] = defaultdict(list)
    for status_id, name in await _TAGS_OF.rows(conn, ids=ids):
        by_status[status_id].append(name)
    mentioned: dict[int, list[Mention]] = defaultdict(list)
    for status_id, account_id, username, domain in await _MENTIONS_OF.rows(conn, ids=ids):
        mentioned[status_id].append(Mention(account_id, username, domain))
    media = await attachments_for(conn, ids)
    for status in found:
        status.tags = sorted(by_status.get(status.id, []))
        status.mentions = mentioned.get(status.id, [])
        status.media = media.get(status.id, [])
    return found


async def get(conn: Conn, status_id: int) -> Status | None:
    row = (await conn.execute(select(statuses).where(statuses.c.id == status_id))).first()
    if row is None:
        return None
    return (await _decorate(conn, [from_row(row)]))[0]


_GET_MANY = Query(select(statuses).where(among(statuses.c.id, "ids")))
_QUOTING = statuses.alias("quoting")
# These statuses and the ones they quote, in one statement (a page's reblogged statuses).
_GET_WITH_QUOTED = Query(
    select(statuses).where(
        or_(
            among(statuses.c.id, "ids"),
            statuses.c.id.in_(
                select(_QUOTING.c.quote_of_id).where(
                    among(_QUOTING.c.id, "quoting"), _QUOTING.c.quote_of_id.is_not(None)
                )
            ),
        )
    )
)


async def get_many(conn: Conn, ids: Iterable[int]) -> dict[int, Status]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await _GET_MANY.rows(conn, ids=wanted)
    return {s.id: s for s in await _decorate(conn, [from_values(r) for r in rows])}


async def get_many_with_quoted(
    conn: Conn, ids: Iterable[int], quoting: Iterable[int] = ()
) -> dict[int, Status]:
    """`get_many` of `ids` plus the statuses that those of `quoting` quote (one statement,
    then the three of `_decorate`)."""
    wanted, quoters = sorted(set(ids)), sorted(set(quoting))
    if not quoters:
        return await get_many(conn, wanted)
    rows = await _GET_WITH_QUOTED.rows(conn, ids=wanted, quoting=quoters)
    return {s.id: s for s in await _decorate(conn, [from_values(r) for r in rows])}


async def insert(
    conn: Conn, status: Status, mention_ids: Sequence[int], tag_ids: Sequence[int]
) -> bool:
    """Store a status; False (nothing written) for a reblog the account already made."""
    created = await insert_new(
        conn,
        statuses,
        dict(
            id=status.id,
            account_id=status.account_id,
            text=status.text,
            content=status.content,
            spoiler_text=status.spoiler_text,
            visibility=status.visibility,
            sensitive=status.sensitive,
            language=status.language,
            in_reply_to_id=status.in_reply_to_id,
            in_reply_to_account_id=status.in_reply_to_account_id,
            reblog_of_id=status.reblog_of_id,
            application_id=status.application_id,
            created_at=status.created_at,
            poll_id=status.poll_id,
            quote_of_id=status.quote_of_id,
            quote_state=status.quote_state,
            quote_policy=status.quote_policy,
            uri=status.uri,
            url=status.url,
        ),
    )
    if not created:
        return False
    if mention_ids:
        await conn.execute(
            mentions.insert(), [{"status_id": status.id, "account_id": i} for i in mention_ids]
        )
    if tag_ids:
        await conn.execute(
            status_tags.insert(), [{"status_id": status.id, "tag_id": i} for i in tag_ids]
        )
    return True


async def delete_status(conn: Conn, status_id: int, account_id: int | None = None) -> Status | None:
    """Delete a status (of that account, when given); returns it if this call deleted it."""
    some_notifications_changed()  # its notifications go with it (a cascade)
    stmt = delete(statuses).where(statuses.c.id == status_id)
    if account_id is not None:
        stmt = stmt.where(statuses.c.account_id == account_id)
    row = (await conn.execute(stmt.returning(*statuses.c))).first()
    return from_row(row) if row else None


async def delete_reblogs_of(conn: Conn, status_id: int) -> list[int]:
    """Delete every reblog of a status; the rebloggers' account ids, one per deleted reblog."""
    some_notifications_changed()  # their notifications go with them (a cascade)
    stmt = delete(statuses).where(statuses.c.reblog_of_id == status_id)
    return [r.account_id for r in await conn.execute(stmt.returning(statuses.c.account_id))]


async def delete_reblog(conn: Conn, account_id: int, status_id: int) -> bool:
    """Undo the account's reblog of a status; True if this call deleted it."""
    some_notifications_changed()  # its notifications go with it (a cascade)
    stmt = delete(statuses).where(
        statuses.c.account_id == account_id, statuses.c.reblog_of_id == status_id
    )
    return (await conn.execute(stmt.returning(statuses.c.id))).first() is not None


async def lock_statuses(
    conn: Conn, ids: Iterable[int], *, deleting: Iterable[int] = ()
) -> set[int]:
    """Lock status rows in ascending id order (see `store/writes.py` for the global order);
    the ids that still exist. Rows in `deleting` get `FOR UPDATE` (this transaction deletes
    them: nobody may even reference them meanwhile), the others `FOR NO KEY UPDATE` (their
    counters move; rows referencing them may still be inserted)."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    if dialect_of(conn) != "postgresql":  # SQLite: one writer at a time already
        rows = await conn.execute(select(statuses.c.id).where(statuses.c.id.in_(wanted)))
        return {r.id for r in rows}
    doomed = set(deleting)
    found: set[int] = set()
    for status_id in wanted:
        stmt = select(statuses.c.id).where(statuses.c.id == status_id)
        stmt = stmt.with_for_update(key_share=status_id not in doomed)
        if (await conn.execute(stmt)).first() is not None:
            found.add(status_id)
    return found


async def lock_attachments(conn: Conn, media_ids: Iterable[int]) -> None:
    """Lock the media a new status takes (after its parent and account, in the global
    order), so two posts cannot both attach the same file."""
    await lock(conn, media_attachments, media_ids)


async def adjust(
    conn: Conn, status_id: int, *, replies: int = 0, reblogs: int = 0, quotes: int = 0
) -> None:
    """Move a status's counters (never below zero) for rows this transaction changed."""
    values: dict[str, Any] = {}
    if quotes:
        values["quotes_count"] = bump(statuses.c.quotes_count, quotes)
    if replies:
        values["replies_count"] = bump(statuses.c.replies_count, replies)
    if reblogs:
        values["reblogs_count"] = bump(statuses.c.reblogs_count, reblogs)
    if values:
        await conn.execute(update(statuses).where(statuses.c.id == status_id).values(**values))


async def reblog_by(conn: Conn, account_id: int, status_id: int) -> Status | None:
    row = (
        await conn.execute(
            select(statuses).where(
                statuses.c.account_id == account_id, statuses.c.reblog_of_id == status_id
            )
        )
    ).first()
    return from_row(row) if row else None


_VIEWER = bindparam("viewer", type_=BigInteger())
# What the viewer did to statuses of a page: reblogged, pinned, bookmarked (Misskey: favorited).
_DONE = (
    (statuses.c.reblog_of_id, statuses.c.account_id),
    (status_pins.c.status_id, status_pins.c.account_id),
    (favorites.c.status_id, favorites.c.account_id),
)


def _done(status_id: ColumnElement[int], account_id: ColumnElement[int]) -> Select[Any]:
    return select(status_id).where(account_id == _VIEWER, among(status_id, "ids"))


_REBLOGGED, _PINNED = Query(_done(*_DONE[0])), Query(_done(*_DONE[1]))
# All three in one statement: (which, status id).
_MARKS = Query(
    union_all(
        *(_done(*done).add_columns(literal(i).label("which")) for i, done in enumerate(_DONE))
    )
)


@dataclass(frozen=True)
class ViewerMarks:
    reblogged: set[int]
    pinned: set[int]
    bookmarked: set[int]  # Mastodon bookmarks, Misskey favorites


async def viewer_marks(conn: Conn, viewer_id: int, status_ids: Iterable[int]) -> ViewerMarks:
    """Which of these statuses the viewer reblogged, pinned and bookmarked (one statement)."""
    ids = sorted(set(status_ids))
    marks = ViewerMarks(set(), set(), set())
    if not ids:
        return marks
    sets = (marks.reblogged, marks.pinned, marks.bookmarked)
    for status_id, which in await _MARKS.rows(conn, viewer=viewer_id, ids=ids):
        sets[which].add(status_id)
    return marks


async def reblogged_among(conn: Conn, account_id: int, status_ids: Iterable[int]) -> set[int]:
    ids = sorted(set(status_ids))
    if not ids:
        return set()
    return {r[0] for r in await _REBLOGGED.rows(conn, viewer=account_id, ids=ids)}


async def reblog_ids_of(conn: Conn, status_id: int) -> list[tuple[int, int]]:
    """(reblog id, reblogger id) for every reblog of a status."""
    rows = await conn.execute(
        select(statuses.c.id, statuses.c.account_id).where(statuses.c.reblog_of_id == status_id)
    )
    return [(r.id, r.account_id) for r in rows]


async def pinned_among(conn: Conn, account_id: int, status_ids: Iterable[int]) -> set[int]:
    ids = sorted(set(status_ids))
    if not ids:
        return set()
    return {r[0] for r in await _PINNED.rows(conn, viewer=account_id, ids=ids)}


async def count_pins(conn: Conn, account_id: int) -> int:
    return int(
        await conn.scalar(
            select(func.count())
            .select_from(status_pins)
            .where(status_pins.c.account_id == account_id)
        )
        or 0
    )


async def pin(conn: Conn, account_id: int, status_id: int, now: datetime) -> bool:
    accounts_changed(account_id)  # its pinned ids are cached (core/caller_cache.py)
    return await insert_new(
        conn,
        status_pins,
        dict(id=new_id(), account_id=account_id, status_id=status_id, created_at=now),
        on=("account_id", "status_id"),
    )


async def unpin(conn: Conn, account_id: int, status_id: int) -> None:
    accounts_changed(account_id)
    await conn.execute(
        delete(status_pins).where(
            status_pins.c.account_id == account_id, status_pins.c.status_id == status_id
        )
    )


# Built once: every profile (Misskey's `i`, `users/show`) asks for its pinned notes.
_PINNED_IDS = Query(
    select(status_pins.c.status_id)
    .where(status_pins.c.account_id == bindparam("account_id"))
    .order_by(status_pins.c.id.desc())
)


async def pinned_ids(conn: Conn, account_id: int) -> list[int]:
    return [row[0] for row in await _PINNED_IDS.rows(conn, account_id=account_id)]


async def pinned_ids_of(conn: Conn, account_ids: Iterable[int]) -> dict[int, list[int]]:
    """`pinned_ids` of several accounts in one statement (each newest pin first)."""
    wanted = sorted(set(account_ids))
    found: dict[int, list[int]] = {i: [] for i in wanted}
    if not wanted:
        return found
    rows = await conn.execute(
        select(status_pins.c.account_id, status_pins.c.status_id)
        .where(status_pins.c.account_id.in_(wanted))
        .order_by(status_pins.c.id.desc())
    )
    for account_id, status_id in rows:
        found[account_id].append(status_id)
    return found


async def latest_created_at(conn: Conn, account_id: int) -> datetime | None:
    latest: datetime | None = await conn.scalar(
        select(func.max(statuses.c.created_at)).where(statuses.c.account_id == account_id)
    )
    return latest


@dataclass(frozen=True)
class AccountFilter:
    """Which of an account's statuses a viewer asked for and may see."""

    visibilities: tuple[Visibility, ...]
    mentioned_viewer: int | None = None  # also direct statuses mentioning this account
    only_media: bool = False
    exclude_replies: bool = False
    exclude_reblogs: bool = False
    pinned: bool = False
    tagged: str | None = None
    hide_reblogs_of: int | None = None  # viewer whose blocks/mutes hide reblogged authors


def _account_conditions(
    account_id: int, f: AccountFilter, now: datetime
) -> list[ColumnElement[bool]]:
    visible: ColumnElement[bool] = statuses.c.visibility.in_(f.visibilities)
    if f.mentioned_viewer is not None:
        visible = or_(
            visible,
            and_(
                statuses.c.visibility == "direct",
                exists().where(
                    mentions.c.status_id == statuses.c.id,
                    mentions.c.account_id == f.mentioned_viewer,
                ),
            ),
        )
    conditions: list[ColumnElement[bool]] = [statuses.c.account_id == account_id, visible]
    if f.only_media:
        conditions.append(exists().where(media_attachments.c.status_id == statuses.c.id))
    if f.exclude_replies:
        conditions.append(
            or_(
                statuses.c.in_reply_to_id.is_(None),
                statuses.c.in_reply_to_account_id == account_id,
            )
        )
    if f.exclude_reblogs:
        conditions.append(statuses.c.reblog_of_id.is_(None))
    if f.pinned:
        conditions.append(
            exists().where(
                status_pins.c.status_id == statuses.c.id, status_pins.c.account_id == account_id
            )
        )
    if f.tagged:
        conditions.append(
            exists().where(
                status_tags.c.status_id == statuses.c.id,
                status_tags.c.tag_id == tags.c.id,
                tags.c.name_key == tag_key(f.tagged),
            )
        )
    if f.hide_reblogs_of is not None:
        original = statuses.alias("original")
        viewer = f.hide_reblogs_of
        hidden_author = or_(
            exists().where(
                blocks.c.account_id == viewer, blocks.c.target_account_id == original.c.account_id
            ),
            exists().where(
                mutes.c.account_id == viewer,
                mutes.c.target_account_id == original.c.account_id,
                or_(mutes.c.expires_at.is_(None), mutes.c.expires_at > now),
            ),
        )
        conditions.append(
            or_(
                statuses.c.reblog_of_id.is_(None),
                ~exists().where(original.c.id == statuses.c.reblog_of_id, hidden_author),
            )
        )
    return conditions


async def by_account(
    conn: Conn, account_id: int, page: Page, f: AccountFilter, now: datetime
) -> list[Status]:
    conditions = _account_conditions(account_id, f, now)
    stmt = select(statuses).where(*conditions)
    found = [from_row(r) for r in await newest_first(conn, stmt, statuses.c.id, page)]
    return await _decorate(conn, found)


async def is_follower(conn: Conn, follower_id: int, account_id: int) -> bool:
    found = await conn.scalar(
        select(follows.c.id).where(
            follows.c.account_id == follower_id, follows.c.target_account_id == account_id
        )
    )
    return found is not None


async def mentions_account(conn: Conn, status_id: int, account_id: int) -> bool:
    found = await conn.scalar(
        select(mentions.c.status_id).where(
            mentions.c.status_id == status_id, mentions.c.account_id == account_id
        )
    )
    return found is not None


async def ensure_tags(conn: Conn, names: Sequence[str], now: datetime) -> list[int]:
    """Tag ids for these names, creating the missing tags (case-insensitive names)."""
    if not names:
        return []
    keys = {tag_key(n): n for n in names}
    wanted = select(tags.c.id, tags.c.name_key).where(tags.c.name_key.in_(keys))
    found = {r.name_key: r.id for r in await conn.execute(wanted)}
    missing = [
        {"id": new_id(), "name": name, "name_key": key, "created_at": now}
        for key, name in keys.items()
        if key not in found
    ]
    if missing:
        # Two posts may introduce the same new tag at once: whoever loses reads the winner's.
        await conn.execute(insert_ignoring(conn, tags, missing, ["name_key"]))
        found = {r.name_key: r.id for r in await conn.execute(wanted)}
    return [found[k] for k in keys]


async def tag_stats(
    conn: Conn, account_id: int, tag_ids: Iterable[int]
) -> dict[int, tuple[int, datetime | None]]:
    """For each tag: how many of the account's statuses use it, and when it was last used."""
    ids = set(tag_ids)
    if not ids:
        return {}
    rows = await conn.execute(
        select(status_tags.c.tag_id, func.count(), func.max(statuses.c.created_at))
        .join(statuses, statuses.c.id == status_tags.c.status_id)
        .where(
            statuses.c.account_id == account_id,
            status_tags.c.tag_id.in_(ids),
            statuses.c.visibility.in_(("public", "unlisted")),
        )
        .group_by(status_tags.c.tag_id)
    )
    return {r[0]: (int(r[1]), r[2]) for r in rows}


async def tags_used_by(conn: Conn, account_id: int, limit: int) -> list[tuple[int, str]]:
    rows = await conn.execute(
        select(tags.c.id, tags.c.name, func.count().label("uses"))
        .join(status_tags, status_tags.c.tag_id == tags.c.id)
        .join(statuses, statuses.c.id == status_tags.c.status_id)
        .where(statuses.c.account_id == account_id)
        .group_by(tags.c.id, tags.c.name)
        .order_by(func.count().desc(), tags.c.name)
        .limit(limit)
    )
    return [(r.id, r.name) for r in rows]


async def count_local(conn: Conn) -> int:
    stmt = (
        select(func.count())
        .select_from(statuses)
        .join(accounts, accounts.c.id == statuses.c.account_id)
        .where(accounts.c.domain.is_(None))
    )
    return int(await conn.scalar(stmt) or 0)
