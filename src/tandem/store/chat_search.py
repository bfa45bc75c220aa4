"""Substring search over chat messages (migration 0018's trigram indexes).

A search runs in two steps, so neither a common word nor a rare one reads much:

1. The newest `RECENT` messages of each part of the scope (the conversation; the room; or
   what the account sent, received, and each of its rooms) are read by their indexes and
   their text is matched: a common word finds its newest hits here, and a scope with fewer
   messages than that is searched completely.
2. Only when that step filled neither the page nor the scope, the trigram index finds the
   older hits: SQLite's FTS5 table `chat_message_search` (tokenizer `trigram`: a quoted
   phrase matches any substring of 3 characters or more, case-insensitively), PostgreSQL's
   `pg_trgm` GIN index on `lower(text)`. A rare word has few hits there. Queries shorter
   than 3 characters cannot use trigrams: they scan the rest of the scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, column, func, literal, or_, select, table, union_all

from tandem.store.db import AnyRow, Conn
from tandem.store.schema import chat_messages

m = chat_messages
RECENT = 1000  # messages read per part of the scope in the first step

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
) -> list[ColumnElement[bool]]:
    """The scope as conditions each served by one index (newest first by id); `unindexed`
    hides those indexes from SQLite's planner (`column + 0`), so that it drives a query
    from the full-text index instead."""

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
    return parts + [c("room_id") == r for r in sorted(set(room_ids))]


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
    parts = _parts(pair, room_id, account_id, room_ids)
    recent = _recent(parts)
    if conn.dialect.name == "sqlite" and len(query) >= 3:
        parts = _parts(pair, room_id, account_id, room_ids, unindexed=True)
    sizes = await conn.execute(
        select(recent.c.part, func.count(), func.min(recent.c.id)).group_by(recent.c.part)
    )
    # A part that gave fewer than RECENT rows was read completely; a full one may have
    # older hits, below the oldest of its rows read.
    cutoffs = [(parts[part], int(oldest)) for part, count, oldest in sizes if count >= RECENT]
    hits = select(recent.c.id).where(func.lower(recent.c.text).like(_like(query), escape="\\"))
    found = await conn.execute(hits.order_by(recent.c.id.desc()).limit(limit))
    ids = [int(r[0]) for r in found]
    # Older hits of a full part matter only above the page's last hit (if the page is full).
    floor = ids[-1] if len(ids) == limit else 0
    wanted = [(part, floor, cutoff) for part, cutoff in cutoffs if cutoff > floor]
    if wanted:
        ids = sorted({*ids, *await _older(conn, query, limit, wanted)}, reverse=True)[:limit]
    if not ids:
        return []
    rows = await conn.execute(select(m).where(m.c.id.in_(ids)).order_by(m.c.id.desc()))
    return list(rows)


def _recent(parts: list[ColumnElement[bool]]) -> Any:
    """The newest RECENT messages (id, text) of each part, labelled with the part's index."""
    selects = []
    for index, part in enumerate(parts):
        newest = select(m.c.id, m.c.text).where(part).order_by(m.c.id.desc()).limit(RECENT)
        inner = newest.subquery(f"p{index}")
        selects.append(select(inner.c.id, inner.c.text, literal(index).label("part")))
    return union_all(*selects).subquery("recent")


async def _older(
    conn: Conn, query: str, limit: int, parts: list[tuple[ColumnElement[bool], int, int]]
) -> list[int]:
    """Hits of each part between its two ids, through the trigram index (a scan for queries
    too short for trigrams)."""
    bounded = [part & (m.c.id > above) & (m.c.id < below) for part, above, below in parts]
    stmt: Select[Any]
    if len(query) < 3:  # no trigrams: each part by its own index, newest first
        each = []
        for index, part in enumerate(bounded):
            newest = select(m.c.id).where(part, _matches(query)).order_by(m.c.id.desc())
            inner = newest.limit(limit).subquery(f"o{index}")
            each.append(select(inner.c.id))
        stmt = select(union_all(*each).subquery("older").c.id)
    elif conn.dialect.name == "sqlite":
        phrase = '"' + query.replace('"', '""') + '"'
        matched = select(_fts.c.rowid).where(_fts.c.chat_message_search.op("MATCH")(phrase))
        stmt = select(m.c.id).where(m.c.id.in_(matched), or_(*bounded))
    else:
        stmt = select(m.c.id).where(_matches(query), or_(*bounded))
    key = stmt.selected_columns[0]
    stmt = stmt.order_by(key.desc()).limit(limit)
    return [int(r[0]) for r in await conn.execute(stmt)]
