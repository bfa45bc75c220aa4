"""Account search by prefix: of the username, or of any word of the display name.

Every match is found through an index range on `account_search_terms` (or the viewer's own
follows), so a search costs the same at a thousand accounts and at millions. Results come in
buckets, each in a stable order, and each bucket reads at most offset + limit rows:

0. the account whose username is the query,
1. accounts the viewer follows, by username,
2. accounts whose username starts with the query, by username,
3. accounts with a word of the display name starting with the query, by that part of the name.

Suspended accounts, accounts not yet confirmed or approved, and accounts blocked either way
with the viewer are left out inside each bucket, so pages are full and never overlap.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    String,
    and_,
    bindparam,
    exists,
    literal,
    select,
    union_all,
)

from tandem.core.models import Account
from tandem.store.accounts import NAME_TERM, USERNAME_TERM, from_row, functional, search_text
from tandem.store.db import Conn
from tandem.store.schema import account_search_terms, accounts, blocks, follows

# Search pages reach this far into the matches (offset + limit); further pages are empty.
MAX_WINDOW = 2000
terms = account_search_terms


def successor(prefix: str) -> str | None:
    """The least string above every string that starts with `prefix`, in code point order
    (the order of SQLite's BINARY and PostgreSQL's "C" collations); None when there is none."""
    chars = list(prefix)
    while chars:
        code = ord(chars[-1]) + 1
        if 0xD800 <= code <= 0xDFFF:  # surrogates are not characters: skip to the next one
            code = 0xE000
        if code <= 0x10FFFF:
            chars[-1] = chr(code)
            return "".join(chars)
        chars.pop()
    return None


def _in_range(column: Any, low: Any, high: Any | None) -> ColumnElement[bool]:
    return column >= low if high is None else and_(column >= low, column < high)


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_VIEWER = bindparam("viewer", type_=BigInteger)
_EXACT = bindparam("exact", type_=String)
_LOW = bindparam("low", type_=String)
_HIGH = bindparam("high", type_=String)
_WINDOW = bindparam("window", type_=Integer)


def _shown(viewer: bool, domain: bool) -> list[ColumnElement[bool]]:
    """Accounts a search may show this viewer."""
    conditions = [accounts.c.suspended_at.is_(None), functional()]
    if domain:
        conditions.append(accounts.c.domain_key.like(bindparam("domain"), escape="\\"))
    if viewer:
        conditions += [
            ~exists().where(
                blocks.c.account_id == _VIEWER, blocks.c.target_account_id == accounts.c.id
            ),
            ~exists().where(
                blocks.c.account_id == accounts.c.id, blocks.c.target_account_id == _VIEWER
            ),
        ]
    return conditions


def _followed() -> ColumnElement[bool]:
    return exists().where(
        follows.c.account_id == _VIEWER, follows.c.target_account_id == accounts.c.id
    )


async def search(
    conn: Conn,
    query: str,
    *,
    domain: str | None,
    limit: int,
    offset: int,
    viewer_id: int | None,
    only_following: bool,
) -> list[Account]:
    """One page of accounts matching `query` (see the module's docstring for the order)."""
    low = search_text(query)
    window = offset + limit
    if not low or limit <= 0 or offset < 0 or window > MAX_WINDOW:
        return []
    if only_following and viewer_id is None:
        return []
    high = successor(low)
    stmt = _statement(viewer_id is not None, only_following, domain is not None, high is not None)
    params: dict[str, Any] = {
        "low": low,
        "exact": query.lower(),
        "window": window,
        "limit": limit,
        "offset": offset,
    }
    if high is not None:
        params["high"] = high
    if viewer_id is not None:
        params["viewer"] = viewer_id
    if domain is not None:
        params["domain"] = f"{_escape_like(domain.lower())}%"
    return [from_row(r) for r in await conn.execute(stmt, params)]


@functools.cache
def _statement(viewer: bool, only_following: bool, domain: bool, bounded: bool) -> Any:
    """The search's statement for one combination of options, built once: every request
    only binds its values (building it costs more than running it)."""
    high = _HIGH if bounded else None
    shown = _shown(viewer, domain)
    matches = exists().where(
        terms.c.account_id == accounts.c.id, _in_range(terms.c.term, _LOW, high)
    )
    exact_match = select(
        accounts.c.id, literal(0).label("bucket"), accounts.c.username_key.label("sort_key")
    ).where(accounts.c.username_key == _EXACT, *shown)
    if only_following:
        mine = (accounts.c.id == _VIEWER) | _followed()
        branches = [
            exact_match.where(mine).limit(_WINDOW),
            # Following search: the accounts the viewer follows (and the viewer), by username.
            select(accounts.c.id, literal(1), accounts.c.username_key)
            .where(mine, accounts.c.username_key != _EXACT, matches, *shown)
            .order_by(accounts.c.username_key, accounts.c.id)
            .limit(_WINDOW),
        ]
    else:
        branches = [exact_match.limit(_WINDOW), *_buckets(viewer, high, shown, matches)]
    found = union_all(*(select(*b.subquery().c) for b in branches)).subquery("found")
    return (
        select(accounts)
        .join(found, found.c.id == accounts.c.id)
        .order_by(found.c.bucket, found.c.sort_key, found.c.id)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


def _buckets(
    viewer: bool, high: Any | None, shown: list[ColumnElement[bool]], matches: ColumnElement[bool]
) -> list[Any]:
    """Buckets 1-3: each excludes the accounts of the buckets before it, so its limit counts
    only its own rows and the union holds the first `window` rows of the whole order."""
    other = [accounts.c.username_key != _EXACT, *shown]
    followed_first: list[Any] = []
    if viewer:
        followed_first.append(
            select(accounts.c.id, literal(1), accounts.c.username_key)
            .select_from(follows.join(accounts, accounts.c.id == follows.c.target_account_id))
            .where(follows.c.account_id == _VIEWER, matches, *other)
            .order_by(accounts.c.username_key, accounts.c.id)
            .limit(_WINDOW)
        )
        other.append(~_followed())
    by_username = (
        select(accounts.c.id, literal(2), terms.c.term)
        .select_from(terms.join(accounts, accounts.c.id == terms.c.account_id))
        .where(terms.c.kind == USERNAME_TERM, _in_range(terms.c.term, _LOW, high), *other)
        .order_by(terms.c.kind, terms.c.term, terms.c.account_id)
        .limit(_WINDOW)
    )
    # The earliest matching tail of each name stands for the account (one row per account).
    earlier = terms.alias("earlier")
    by_name = (
        select(accounts.c.id, literal(3), terms.c.term)
        .select_from(terms.join(accounts, accounts.c.id == terms.c.account_id))
        .where(
            terms.c.kind == NAME_TERM,
            _in_range(terms.c.term, _LOW, high),
            *other,
            ~exists().where(
                earlier.c.account_id == terms.c.account_id,
                (earlier.c.kind == USERNAME_TERM) | (earlier.c.term < terms.c.term),
                _in_range(earlier.c.term, _LOW, high),
            ),
        )
        .order_by(terms.c.kind, terms.c.term, terms.c.account_id)
        .limit(_WINDOW)
    )
    return [*followed_first, by_username, by_name]
