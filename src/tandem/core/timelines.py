"""Timelines for both dialects: home (materialised, core/home_feeds.py), public, hashtag,
list, and Misskey's hybrid; Misskey's word mutes applied to what a page returns."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from tandem.core import clock, home_feeds
from tandem.core.lists import own
from tandem.core.models import Account, Page, Status
from tandem.core.statuses import StatusBundle, bundle
from tandem.store import timelines as store
from tandem.store import users as user_store
from tandem.store.db import Conn, Database

Shown = store.Shown


@dataclass(frozen=True)
class Tagged:
    any_of: Sequence[str]
    all_of: Sequence[str] = ()
    none_of: Sequence[str] = ()


async def home(
    db: Database,
    viewer: Account,
    page: Page,
    *,
    with_reblogs: bool = True,
    only_media: bool = False,
    word_mutes: bool = False,
) -> StatusBundle:
    async with db.read() as conn:
        found = await home_feeds.page(db, conn, viewer.id, page)
        found = [s for s in found if with_reblogs or s.reblog_of_id is None]
        b = await bundle(conn, viewer.id, found)
        words = await _muted_words(conn, viewer) if word_mutes else []
    return _finish(b, viewer, only_media=only_media, muted_words=words)


async def public(
    db: Database,
    viewer: Account | None,
    page: Page,
    shown: Shown,
    word_mutes: bool = False,
) -> StatusBundle:
    shown = replace(shown, viewer_id=viewer.id if viewer else None)
    async with db.read() as conn:
        found = await store.public(conn, page, shown, clock.now())
        b = await bundle(conn, shown.viewer_id, found)
        words = await _muted_words(conn, viewer) if word_mutes else []
    return _finish(b, viewer, muted_words=words)


async def tag(
    db: Database, viewer: Account | None, page: Page, shown: Shown, tags: Tagged
) -> StatusBundle:
    shown = replace(shown, viewer_id=viewer.id if viewer else None)
    async with db.read() as conn:
        found = await store.tagged(
            conn,
            page,
            shown,
            clock.now(),
            any_of=tags.any_of,
            all_of=tags.all_of,
            none_of=tags.none_of,
        )
        return await bundle(conn, shown.viewer_id, found)


async def of_list(
    db: Database,
    viewer: Account,
    list_id: int,
    page: Page,
    shown: Shown = Shown(with_reblogs=True),
    word_mutes: bool = False,
) -> StatusBundle:
    """A list's timeline (NotFound("list") unless the viewer owns it)."""
    async with db.read() as conn:
        found_list = await own(conn, viewer, list_id)
        found = await store.of_list(
            conn, found_list.id, viewer.id, found_list.replies_policy, page, shown, clock.now()
        )
        b = await bundle(conn, viewer.id, found)
        words = await _muted_words(conn, viewer) if word_mutes else []
    return _finish(b, viewer, muted_words=words)


async def hybrid(
    db: Database,
    viewer: Account,
    page: Page,
    shown: Shown,
    word_mutes: bool = False,
) -> StatusBundle:
    """Misskey's social timeline: the home feed and the local public timeline, merged."""
    shown = replace(shown, viewer_id=viewer.id, local=True)
    now = clock.now()
    async with db.read() as conn:
        mine = await home_feeds.page(db, conn, viewer.id, page)
        local = await store.public(conn, page, shown, now)
        merged = {s.id: s for s in [*mine, *local]}
        ordered = sorted(merged.values(), key=lambda s: s.id, reverse=True)
        if page.min_id is not None:  # the window just above the cursor: its oldest ones
            ordered = ordered[-page.limit :] if page.limit else ordered
        elif page.limit:
            ordered = ordered[: page.limit]
        if not shown.with_reblogs:
            ordered = [s for s in ordered if s.reblog_of_id is None]
        b = await bundle(conn, viewer.id, ordered)
        words = await _muted_words(conn, viewer) if word_mutes else []
    return _finish(b, viewer, only_media=shown.only_media, muted_words=words)


def _finish(
    b: StatusBundle,
    viewer: Account | None,
    *,
    only_media: bool = False,
    muted_words: Sequence[object] = (),
) -> StatusBundle:
    """Drop what the page shows but the caller filtered out after the query: without media
    (when only media was asked for) or matching a word mute (never the viewer's own)."""
    if not only_media and not muted_words:
        return b
    kept: list[Status] = []
    for s in b.statuses:
        shown = b.originals.get(s.reblog_of_id, s) if s.reblog_of_id else s
        if only_media and not shown.media:
            continue
        own_post = viewer is not None and shown.account_id == viewer.id
        if muted_words and not own_post and word_muted(shown, muted_words):
            continue
        kept.append(s)
    b.statuses = kept
    return b


async def _muted_words(conn: Conn, viewer: Account | None) -> list[object]:
    """The viewer's Misskey word mutes (soft and hard), read with the page."""
    if viewer is None:
        return []
    user = await user_store.by_account(conn, viewer.id)
    if user is None:
        return []
    words: list[object] = []
    for name in ("mutedWords", "hardMutedWords"):
        found = user.client_prefs.get(name)
        if isinstance(found, list):
            words += found
    return words


_REGEX = re.compile(r"\A/(.+)/([a-z]*)\Z", re.DOTALL)


def word_muted(status: Status, entries: Sequence[object]) -> bool:
    """Misskey's word mute: a list entry matches when every word in it occurs (ignoring
    case); a string entry is a /regular expression/ with flags."""
    body = f"{status.spoiler_text}\n{status.text}"
    lowered = body.lower()
    for entry in entries:
        if isinstance(entry, list | tuple):
            words = [str(w).lower() for w in entry if str(w).strip()]
            if words and all(w in lowered for w in words):
                return True
        elif isinstance(entry, str):
            found = _REGEX.match(entry)
            if found is None:
                continue
            flags = re.IGNORECASE if "i" in found.group(2) else 0
            try:
                if re.search(found.group(1), body, flags):
                    return True
            except re.error:
                continue
    return False
