"""Search queries: statuses by words (through the full-text index of migration 0008) and
hashtags by prefix. Accounts are searched by store/account_search.py.

A word search reads only the statuses whose words match (SQLite's FTS5 table, PostgreSQL's GIN
index on `to_tsvector('simple', …)`), then keeps those the viewer may see, newest first.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    column,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.sql.elements import TextClause

from tandem.core.models import Page, Status
from tandem.store.account_search import successor
from tandem.store.db import Conn
from tandem.store.paging import newest_first
from tandem.store.schema import (
    accounts,
    featured_tags,
    follows,
    mentions,
    statuses,
    tag_follows,
    tags,
)
from tandem.store.statuses import _decorate, from_row
from tandem.store.timelines import hidden_from

# Words of a query: what both full-text indexes split text into (letters and digits).
_WORD = re.compile(r"\w+")
MAX_WORDS = 16
_FTS = table("status_search", column("rowid"))
# The very expression of PostgreSQL's index ix_statuses_search: any other is not indexed.
_PG_MATCH = text(
    "to_tsvector('simple', statuses.text || ' ' || statuses.spoiler_text)"
    " @@ plainto_tsquery('simple', :words)"
)


def words(query: str) -> list[str]:
    return _WORD.findall(query.lower())[:MAX_WORDS]


def _postgresql(conn: Conn) -> bool:
    return conn.dialect.name == "postgresql"  # (a PostgreSQL read has no sync_connection)


def _matching(conn: Conn, found: list[str]) -> ColumnElement[bool] | TextClause:
    if _postgresql(conn):
        return _PG_MATCH.bindparams(words=" ".join(found))
    # Each word quoted, so nothing in a query is FTS5 syntax; words side by side must all match.
    match = " ".join('"' + w.replace('"', '""') + '"' for w in found)
    ids = select(_FTS.c.rowid).where(
        literal_column("status_search").op("MATCH")(bindparam("match", match))
    )
    return statuses.c.id.in_(ids.scalar_subquery())


def visible_to(viewer_id: int) -> ColumnElement[bool]:
    """Statuses the viewer may see: their own, public and unlisted ones, followers-only ones of
    accounts they follow, and followers-only or direct ones that mention them."""
    mentioned = exists().where(
        mentions.c.status_id == statuses.c.id, mentions.c.account_id == viewer_id
    )
    return or_(
        statuses.c.account_id == viewer_id,
        statuses.c.visibility.in_(("public", "unlisted")),
        and_(
            statuses.c.visibility == "private",
            exists().where(
                follows.c.account_id == viewer_id,
                follows.c.target_account_id == statuses.c.account_id,
            ),
        ),
        and_(statuses.c.visibility.in_(("private", "direct")), mentioned),
    )


async def statuses_with_words(
    conn: Conn,
    found: list[str],
    *,
    viewer_id: int,
    page: Page,
    offset: int,
    now: datetime,
    account_id: int | None = None,
    local_only: bool = False,
) -> list[Status]:
    """One page of the viewer's visible statuses holding every word, newest first (no
    reblogs; nothing by or reblogged from accounts the viewer blocks, mutes or is blocked by)."""
    if not found:
        return []
    stmt = (
        select(statuses)
        .join(accounts, accounts.c.id == statuses.c.account_id)
        .where(
            _matching(conn, found),
            # Not `reblog_of_id IS NULL`: SQLite would walk that index (every original
            # status) instead of the few the full-text index names.
            func.coalesce(statuses.c.reblog_of_id, 0) == 0,
            accounts.c.suspended_at.is_(None),
            visible_to(viewer_id),
            ~hidden_from(viewer_id, [statuses.c.account_id], now),
        )
    )
    if account_id is not None:
        stmt = stmt.where(statuses.c.account_id == account_id)
    if local_only:
        stmt = stmt.where(accounts.c.domain.is_(None))
    if offset:
        stmt = stmt.offset(offset)
    rows = await newest_first(conn, stmt, statuses.c.id, page)
    return await _decorate(conn, [from_row(r) for r in rows])


def _tag_key_order(conn: Conn) -> ColumnElement[str]:
    # Code point order on both (SQLite's BINARY; PostgreSQL's index ix_tags_name_key_c).
    return tags.c.name_key.collate("C") if _postgresql(conn) else tags.c.name_key


def key_range(conn: Conn, prefix: str) -> list[ColumnElement[bool]]:
    """Conditions for tag keys starting with the lower-cased prefix (an index range)."""
    low = prefix.lower()
    key = _tag_key_order(conn)
    high = successor(low)
    return [key >= low] if high is None else [key >= low, key < high]


async def tags_by_prefix(
    conn: Conn, prefix: str, *, limit: int, offset: int, viewer_id: int | None
) -> list[tuple[int, str, bool, bool]]:
    """Hashtags whose lower-cased name starts with `prefix`, by name (an index range): id,
    name, and whether the viewer follows and features each."""
    if not prefix or limit <= 0:
        return []
    key = _tag_key_order(conn)
    if viewer_id is None:
        following: ColumnElement[bool] = false()
        featuring: ColumnElement[bool] = false()
    else:
        following = exists().where(
            tag_follows.c.account_id == viewer_id, tag_follows.c.tag_id == tags.c.id
        )
        featuring = exists().where(
            featured_tags.c.account_id == viewer_id, featured_tags.c.tag_id == tags.c.id
        )
    stmt = select(
        tags.c.id, tags.c.name, following.label("following"), featuring.label("featuring")
    ).where(*key_range(conn, prefix))
    rows = await conn.execute(stmt.order_by(key).limit(limit).offset(offset))
    return [(r.id, r.name, bool(r.following), bool(r.featuring)) for r in rows]
