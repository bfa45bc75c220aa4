"""Substring search over chat messages (migration 0018's trigram indexes).

On SQLite, a query of 3 characters or more reads the FTS5 table `chat_message_search`
(tokenizer `trigram`: a quoted phrase matches any substring of 3 characters or more,
case-insensitively) from its newest hit down, keeping those in the scope, until the page
is full. On PostgreSQL, a query of 3 characters or more with fewer than PROBE hits in all chats
(the trigram index counts them, reading at most PROBE rows) is answered from those hits.
Otherwise (a common word, or a query too short for trigrams) a search runs in two steps, so
neither a common word nor a rare one reads much:

1. The newest `RECENT` messages of each part of the scope (the conversation; the room; or
   what the account sent, received, and each of its rooms) are read by their indexes and
   their text is matched: a common word finds its newest hits here, and a scope with fewer
   messages than that is searched completely.
2. Only when that step filled neither the page nor the scope, PostgreSQL's `pg_trgm` GIN
   index on `lower(text)` finds the older hits. A rare word has few hits there. Queries
   shorter than 3 characters cannot use trigrams: they scan the rest of the scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, column, func, literal, or_, select, table, union_all

from tandem.store.db import AnyRow, Conn
from tandem.store.schema import chat_messages

m = chat_messages
RECENT = 1000  # messages read per part of the scope in the first step
PROBE = 200  # PostgreSQL: fewer hits than this in all chats make a rare query

_fts = table("chat_message_search", column("rowid"), column("chat_message_search"))


def _like(query: str) -> str:
    escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matches(query: str) -> ColumnElement[bool]:
    return func.lower(m.c.text).like(_like(query), escape="\\")


def _parts(
    pair: tuple[int, int] | None,
    room_id: int | None,
    account_id: int | None,
    room_ids: Sequence[int],
    *,
    unindexed: bool = False,
    whole: bool = False,
) -> list[ColumnElement[bool]]:
    """The scope as conditions each served by one index (newest first by id); `unindexed`
    hides those indexes from SQLite's planner (`column + 0`), so that it drives a query
    from the full-text index instead. `whole`: all of an account's chats as one condition
    (PostgreSQL plans it by the account's share of the messages: walking the newest ones
    for an active account, its own index rows for a quiet one)."""

    def c(name: str) -> Any:
        return m.c[name] + 0 if unindexed else m.c[name]

    if pair is not None:
        return [(c("pair_low") == pair[0]) & (m.c.pair_high == pair[1])]
    if room_id is not None:
        return [c("room_id") == room_id]
    parts = [
        (c("from_account_id") == account_id) & m.c.pair_low.is_not(None),
        (c("to_account_id") == account_id) & m.c.pair_low.is_not(None),
    ]
    rooms = sorted(set(room_ids))
    if whole:
        return [or_(*parts, *([c("room_id").in_(rooms)] if rooms else []))]
    return parts + [c("room_id") == r for r in rooms]


async def find(
    conn: Conn,
    query: str,
    limit: int,
    *,
    pair: tuple[int, int] | None = None,
    room_id: int | None = None,
    account_id: int | None = None,
    room_ids: Sequence[int] = (),
) -> list[AnyRow]:
    """Messages whose text contains the query, newest first: in one conversation (`pair`,
    lower id first), one room, or everything `account_id` sent, received or can read in
    `room_ids`."""
    if conn.dialect.name == "sqlite" and len(query) >= 3:
        unindexed = _parts(pair, room_id, account_id, room_ids, unindexed=True)
        return await _sqlite_match(conn, query, limit, unindexed)
    whole = conn.dialect.name == "postgresql"
    parts = _parts(pair, room_id, account_id, room_ids, whole=whole)
    if len(query) >= 3 and await _few_hits(conn, query):
        stmt = select(m).where(_matches(query), or_(*parts)).order_by(m.c.id.desc())
        return list(await conn.execute(stmt.limit(limit)))
    # One condition for all the chats reads as many rows as several parts would.
    per_part = RECENT * 4 if whole and account_id is not None else RECENT
    recent = _recent(parts, per_part)
    # One pass over the newest rows: the hits, and each part's size and oldest row read.
    scan = select(
        recent.c.part,
        recent.c.id,
        func.lower(recent.c.text).like(_like(query), escape="\\").label("hit"),
        func.count().over(partition_by=recent.c.part).label("size"),
        func.min(recent.c.id).over(partition_by=recent.c.part).label("oldest"),
    ).subquery("scan")
    found = await conn.execute(select(scan).where(or_(scan.c.hit, scan.c.id == scan.c.oldest)))
    ids: list[int] = []
    cutoffs: list[tuple[ColumnElement[bool], int]] = []
    for part, id, hit, size, oldest in found:
        if hit:
            ids.append(int(id))
        # A part that gave fewer than RECENT rows was read completely; a full one may
        # have older hits, below the oldest of its rows read.
        if id == oldest and size >= per_part:
            cutoffs.append((parts[part], int(oldest)))
    ids = sorted(ids, reverse=True)[:limit]
    # Older hits of a full part matter only above the page's last hit (if the page is full).
    floor = ids[-1] if len(ids) == limit else 0
    wanted = [(part, floor, cutoff) for part, cutoff in cutoffs if cutoff > floor]
    if wanted:
        ids = sorted({*ids, *await _older(conn, query, limit, wanted)}, reverse=True)[:limit]
    if not ids:
        return []
    rows = await conn.execute(select(m).where(m.c.id.in_(ids)).order_by(m.c.id.desc()))
    return list(rows)


async def _few_hits(conn: Conn, query: str) -> bool:
    """PostgreSQL: does the query have fewer than PROBE hits in all chats? The trigram index
    answers that reading at most PROBE rows; then those hits, kept when in the scope, are
    the answer (a rare word: a few ms at 1M messages, where reading the scope's newest
    messages first took ~40 ms)."""
    probe = select(m.c.id).where(_matches(query)).limit(PROBE).subquery("probe")
    return int(await conn.scalar(select(func.count()).select_from(probe)) or 0) < PROBE


async def _sqlite_match(
    conn: Conn, query: str, limit: int, parts: list[ColumnElement[bool]]
) -> list[AnyRow]:
    """SQLite: the full-text index's hits, newest first, kept when in the scope; FTS5 walks
    its hits by rowid (the id) from the newest and stops at the page's end, so a common
    word reads a few dozen rows, and a rare one its few hits (0.4 and 1.1 ms at 1M
    messages). The scope's own indexes are hidden from the planner so that it drives the
    query from the full-text index."""
    phrase = '"' + query.replace('"', '""') + '"'
    stmt = (
        select(m)
        .select_from(_fts.join(m, m.c.id == _fts.c.rowid))
        .where(_fts.c.chat_message_search.op("MATCH")(phrase), or_(*parts))
        .order_by(_fts.c.rowid.desc())
        .limit(limit)
    )
    return list(await conn.execute(stmt))


def _recent(parts: list[ColumnElement[bool]], per_part: int) -> Any:
    """The newest `per_part` messages (id, text) of each part, labelled with its index."""
    selects = []
    for index, part in enumerate(parts):
        newest = select(m.c.id, m.c.text).where(part).order_by(m.c.id.desc()).limit(per_part)
        inner = newest.subquery(f"p{index}")
        selects.append(select(inner.c.id, inner.c.text, literal(index).label("part")))
    return union_all(*selects).subquery("recent")


async def _older(
    conn: Conn, query: str, limit: int, parts: list[tuple[ColumnElement[bool], int, int]]
) -> list[int]:
    """Hits of each part between its two ids, through PostgreSQL's trigram index (a scan for
    queries too short for trigrams)."""
    bounded = [part & (m.c.id > above) & (m.c.id < below) for part, above, below in parts]
    stmt: Select[Any]
    if len(query) < 3:  # no trigrams: each part by its own index, newest first
        each = []
        for index, part in enumerate(bounded):
            newest = select(m.c.id).where(part, _matches(query)).order_by(m.c.id.desc())
            inner = newest.limit(limit).subquery(f"o{index}")
            each.append(select(inner.c.id))
        stmt = select(union_all(*each).subquery("older").c.id)
    else:  # PostgreSQL (SQLite's longer queries never come here)
        stmt = select(m.c.id).where(_matches(query), or_(*bounded))
    key = stmt.selected_columns[0]
    stmt = stmt.order_by(key.desc()).limit(limit)
    return [int(r[0]) for r in await conn.execute(stmt)]
