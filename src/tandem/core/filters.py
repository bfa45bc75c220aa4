"""Content filters (Mastodon's filters v2, and the v1 view of their keywords): writing them,
and matching statuses against the ones in force for a context.

A status matches a filter through one of its keywords (case-insensitive; a whole-word keyword
must not touch letters or digits on either side) in its text, content warning or media
descriptions, or because the filter names it (or the status it reblogs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from tandem.core import clock, stream_events
from tandem.core.errors import Errors, NotFound
from tandem.core.i18n import too_long
from tandem.core.models import Account, Filter, FilterKeyword, FilterStatus, Status
from tandem.store import filters as store
from tandem.store import statuses as status_store
from tandem.store.db import Database

CONTEXTS = ("home", "notifications", "public", "thread", "account")
ACTIONS = ("warn", "hide", "blur")
TITLE_LIMIT = 256
KEYWORD_LIMIT = 512
UNSET = -1  # expires_in given blank: the filter stops expiring


@dataclass
class KeywordChange:
    """One entry of `keywords_attributes`: a new keyword, or a change to (or removal of) one."""

    id: int | None = None
    keyword: str | None = None
    whole_word: bool | None = None
    destroy: bool = False


@dataclass
class FilterChange:
    title: str | None = None
    context: list[str] | None = None
    filter_action: str | None = None
    expires_in: int | None = None  # seconds; UNSET clears the expiry
    keywords: list[KeywordChange] = field(default_factory=list)


@dataclass(frozen=True)
class Match:
    filter: Filter
    keyword_matches: list[str] | None
    status_matches: list[str] | None


def _check(change: FilterChange, *, creating: bool, errors: Errors) -> None:
    if creating or change.title is not None:
        if not (change.title or "").strip():
            errors.add("title", "ERR_BLANK", "can't be blank")
        elif len(change.title or "") > TITLE_LIMIT:
            errors.add("title", "ERR_TOO_LONG", too_long(TITLE_LIMIT))
    if creating or change.context is not None:
        if not change.context:
            errors.add("context", "ERR_BLANK", "can't be blank")
        elif any(c not in CONTEXTS for c in change.context):
            errors.add("context", "ERR_INCLUSION", "is invalid")
    if change.filter_action is not None and change.filter_action not in ACTIONS:
        errors.add("filter_action", "ERR_INCLUSION", "is not included in the list")
    if change.expires_in is not None and change.expires_in != UNSET and change.expires_in <= 0:
        errors.add("expires_in", "ERR_INVALID", "must be a positive number of seconds")
    for k in change.keywords:
        _check_keyword(k, creating=k.id is None, errors=errors)


def _check_keyword(k: KeywordChange, *, creating: bool, errors: Errors) -> None:
    if k.destroy:
        return
    if creating or k.keyword is not None:
        if not (k.keyword or "").strip():
            errors.add("keywords.keyword", "ERR_BLANK", "can't be blank")
        elif len(k.keyword or "") > KEYWORD_LIMIT:
            errors.add("keywords.keyword", "ERR_TOO_LONG", "is too long")


def _values(change: FilterChange) -> dict[str, object]:
    values: dict[str, object] = {}
    if change.title is not None:
        values["title"] = change.title.strip()
    if change.context is not None:
        values["context"] = list(dict.fromkeys(change.context))
    if change.filter_action is not None:
        values["filter_action"] = change.filter_action
    if change.expires_in is not None:
        values["expires_at"] = (
            None
            if change.expires_in == UNSET
            else clock.now() + timedelta(seconds=change.expires_in)
        )
    return values


async def list_for(db: Database, owner: Account) -> list[Filter]:
    async with db.read() as conn:
        return await store.of_account(conn, owner.id)


async def get(db: Database, owner: Account, filter_id: int) -> Filter:
    async with db.read() as conn:
        found = await store.get(conn, owner.id, filter_id)
    if found is None:
        raise NotFound("filter")
    return found


async def create(db: Database, owner: Account, change: FilterChange) -> Filter:
    errors = Errors()
    _check(change, creating=True, errors=errors)
    errors.raise_if_any()
    now = clock.now()
    async with db.write() as conn:
        values = {"filter_action": "warn", **_values(change)}
        filter_id = await store.insert(conn, owner.id, values, now)
        for k in change.keywords:
            if not k.destroy and k.id is None:
                await store.add_keyword(
                    conn, filter_id, (k.keyword or "").strip(), k.whole_word is not False, now
                )
        found = await store.get(conn, owner.id, filter_id)
        stream_events.filters_changed(owner.id)
    assert found is not None
    return found


async def update(db: Database, owner: Account, filter_id: int, change: FilterChange) -> Filter:
    errors = Errors()
    _check(change, creating=False, errors=errors)
    errors.raise_if_any()
    now = clock.now()
    async with db.write() as conn:
        current = await store.get(conn, owner.id, filter_id)
        if current is None:
            raise NotFound("filter")
        await store.change(conn, filter_id, _values(change))
        mine = {k.id for k in current.keywords}
        for k in change.keywords:
            if k.id is None:
                if not k.destroy:
                    await store.add_keyword(
                        conn, filter_id, (k.keyword or "").strip(), k.whole_word is not False, now
                    )
            elif k.id not in mine:
                raise NotFound("filter")
            elif k.destroy:
                await store.remove_keyword(conn, filter_id, k.id)
            else:
                await store.change_keyword(conn, k.id, _keyword_values(k))
        found = await store.get(conn, owner.id, filter_id)
        stream_events.filters_changed(owner.id)
    assert found is not None
    return found


def _keyword_values(k: KeywordChange) -> dict[str, object]:
    values: dict[str, object] = {}
    if k.keyword is not None:
        values["keyword"] = k.keyword.strip()
    if k.whole_word is not None:
        values["whole_word"] = k.whole_word
    return values


async def delete(db: Database, owner: Account, filter_id: int) -> None:
    async with db.write() as conn:
        if not await store.remove(conn, owner.id, filter_id):
            raise NotFound("filter")
        stream_events.filters_changed(owner.id)


async def add_keyword(
    db: Database, owner: Account, filter_id: int, k: KeywordChange
) -> FilterKeyword:
    errors = Errors()
    _check_keyword(k, creating=True, errors=errors)
    errors.raise_if_any()
    async with db.write() as conn:
        if await store.get(conn, owner.id, filter_id) is None:
            raise NotFound("filter")
        keyword_id = await store.add_keyword(
            conn, filter_id, (k.keyword or "").strip(), k.whole_word is not False, clock.now()
        )
        found = await store.keyword_owned(conn, owner.id, keyword_id)
    assert found is not None
    return found


async def keyword(db: Database, owner: Account, keyword_id: int) -> FilterKeyword:
    async with db.read() as conn:
        found = await store.keyword_owned(conn, owner.id, keyword_id)
    if found is None:
        raise NotFound("filter")
    return found


async def change_keyword(
    db: Database, owner: Account, keyword_id: int, k: KeywordChange
) -> FilterKeyword:
    errors = Errors()
    _check_keyword(k, creating=False, errors=errors)
    errors.raise_if_any()
    async with db.write() as conn:
        if await store.keyword_owned(conn, owner.id, keyword_id) is None:
            raise NotFound("filter")
        await store.change_keyword(conn, keyword_id, _keyword_values(k))
        found = await store.keyword_owned(conn, owner.id, keyword_id)
    assert found is not None
    return found


async def remove_keyword(db: Database, owner: Account, keyword_id: int) -> None:
    async with db.write() as conn:
        found = await store.keyword_owned(conn, owner.id, keyword_id)
        if found is None or not await store.remove_keyword(conn, found.filter_id, keyword_id):
            raise NotFound("filter")


async def add_status(db: Database, owner: Account, filter_id: int, status_id: int) -> FilterStatus:
    """Add a status to a filter; adding it again answers the same entry."""
    async with db.write() as conn:
        if await store.get(conn, owner.id, filter_id) is None:
            raise NotFound("filter")
        if await status_store.get(conn, status_id) is None:
            raise NotFound("status")
        await store.add_status(conn, filter_id, status_id, clock.now())
        found = await store.status_entry(conn, filter_id, status_id)
    assert found is not None
    return found


async def status_entry(db: Database, owner: Account, entry_id: int) -> FilterStatus:
    async with db.read() as conn:
        found = await store.status_owned(conn, owner.id, entry_id)
    if found is None:
        raise NotFound("filter")
    return found


async def remove_status(db: Database, owner: Account, entry_id: int) -> None:
    async with db.write() as conn:
        if await store.status_owned(conn, owner.id, entry_id) is None:
            raise NotFound("filter")
        await store.remove_status(conn, entry_id)


def _pattern(k: FilterKeyword) -> re.Pattern[str]:
    body = re.escape(k.keyword)
    if k.whole_word:
        body = rf"(?<![^\W_]){body}(?![^\W_])"
    return re.compile(body, re.IGNORECASE)


_TAGS = re.compile(r"<[^>]*>")


def _searchable(s: Status) -> str:
    parts = [s.spoiler_text, _TAGS.sub(" ", s.content) if s.content else s.text]
    parts += [m.description for m in s.media if m.description]
    return "\n".join(parts)


def matches(found: list[Filter], statuses: list[Status], context: str) -> dict[int, list[Match]]:
    """The filters (in force, for `context`) each status matches, by status id. A reblog
    matches through the status it reblogs (pass that one in `statuses` too)."""
    live = [f for f in found if context in f.context]
    if not live:
        return {}
    by_id = {s.id: s for s in statuses}
    out: dict[int, list[Match]] = {}
    for s in statuses:
        target = by_id.get(s.reblog_of_id or 0, s)
        text = _searchable(target)
        for f in live:
            words = [k.keyword for k in f.keywords if _pattern(k).search(text)]
            named = [str(e.id) for e in f.statuses if e.status_id in (s.id, target.id)]
            if words or named:
                out.setdefault(s.id, []).append(Match(f, words or None, named or None))
    return out


async def in_force(db: Database, viewer: Account) -> list[Filter]:
    async with db.read() as conn:
        return await store.of_account(conn, viewer.id, clock.now())
