"""Threads: a status's context (ancestors and descendants), its replies and reblogs, muted
threads, and the viewer's state on a note (Misskey's notes/state)."""

from __future__ import annotations

from dataclasses import dataclass

from tandem.core import clock
from tandem.core.errors import NotFound
from tandem.core.models import Account, Page, Status
from tandem.core.statuses import StatusBundle, bundle, visible
from tandem.store import collections as collection_store
from tandem.store import status_threads as store
from tandem.store import statuses as status_store
from tandem.store.db import Conn, Database

# Mastodon's bounds on a context (Status::ThreadingConcern and the context action).
ANCESTORS_LIMIT = 40
DESCENDANTS_LIMIT = 60
DESCENDANTS_DEPTH = 20
ROOT_SEARCH_DEPTH = 1000  # how far up a thread's root is looked for


async def visible_among(conn: Conn, viewer: Account | None, found: list[Status]) -> list[Status]:
    """The statuses of a thread the viewer may see, minus authors blocked either way or muted
    (a handful of queries for the whole batch, not one per status)."""
    if viewer is None:
        return [s for s in found if s.visibility in ("public", "unlisted")]
    authors = {s.account_id for s in found}
    hidden = await store.hidden_authors(conn, viewer.id, authors, clock.now())
    private_authors = {s.account_id for s in found if s.visibility == "private"}
    followed = await store.followed_among(conn, viewer.id, private_authors - hidden)
    kept = []
    for s in found:
        mentioned = any(m.account_id == viewer.id for m in s.mentions)
        followed_private = s.visibility == "private" and s.account_id in followed
        if s.account_id == viewer.id or (
            s.account_id not in hidden
            and (s.visibility in ("public", "unlisted") or mentioned or followed_private)
        ):
            kept.append(s)
    return kept


@dataclass
class Context:
    ancestors: list[Status]
    descendants: list[Status]
    bundle: StatusBundle


def _depth_first(root_id: int, found: list[Status]) -> list[Status]:
    """Replies in reading order: each reply followed by its own replies, oldest first."""
    children: dict[int, list[Status]] = {}
    for s in sorted(found, key=lambda s: s.id):
        children.setdefault(s.in_reply_to_id or 0, []).append(s)
    ordered: list[Status] = []
    stack = list(reversed(children.get(root_id, [])))
    while stack:
        s = stack.pop()
        ordered.append(s)
        stack.extend(reversed(children.get(s.id, [])))
    return ordered


async def context(db: Database, viewer: Account | None, status_id: int) -> Context:
    async with db.read() as conn:
        status = await visible(conn, viewer, status_id)
        up = await store.ancestor_ids(conn, status.id, ANCESTORS_LIMIT)
        down = await store.descendant_ids(conn, status.id, DESCENDANTS_DEPTH, DESCENDANTS_LIMIT)
        loaded = await status_store.get_many(conn, [*up, *down])
        ancestors = await visible_among(conn, viewer, [loaded[i] for i in up if i in loaded])
        replies = await visible_among(conn, viewer, [loaded[i] for i in down if i in loaded])
        # A reply whose parent is hidden is hidden too (the thread would not hold together).
        shown_ids = {status.id} | {s.id for s in replies}
        replies = [s for s in replies if s.in_reply_to_id in shown_ids]
        descendants = _depth_first(status.id, replies)
        viewer_id = viewer.id if viewer else None
        together = await bundle(conn, viewer_id, [*ancestors, *descendants])
        return Context(ancestors, descendants, together)


async def replies(
    db: Database, viewer: Account | None, status_id: int, window: Page
) -> StatusBundle:
    """Direct replies to a status (Misskey's notes/replies and notes/children), newest first."""
    async with db.read() as conn:
        status = await visible(conn, viewer, status_id)
        ids = await store.children_page(conn, status.id, window)
        loaded = await status_store.get_many(conn, ids)
        shown = await visible_among(conn, viewer, [loaded[i] for i in ids if i in loaded])
        return await bundle(conn, viewer.id if viewer else None, shown)


async def reblogs(
    db: Database, viewer: Account | None, status_id: int, window: Page, by: int | None = None
) -> StatusBundle:
    """Reblogs and quotes of a status (Misskey's notes/renotes), optionally by one account."""
    async with db.read() as conn:
        status = await visible(conn, viewer, status_id)
        rows = await store.reblogs_page(conn, status.id, window, with_quotes=True)
        ids = [i for i, account_id in rows if by is None or account_id == by]
        loaded = await status_store.get_many(conn, ids)
        shown = await visible_among(conn, viewer, [loaded[i] for i in ids if i in loaded])
        return await bundle(conn, viewer.id if viewer else None, shown)


async def conversation(
    db: Database, viewer: Account | None, status_id: int, limit: int, offset: int
) -> StatusBundle:
    """Misskey's notes/conversation: the statuses a note answers, nearest first."""
    async with db.read() as conn:
        status = await visible(conn, viewer, status_id)
        up = await store.ancestor_ids(conn, status.id, ROOT_SEARCH_DEPTH)
        up.reverse()
        loaded = await status_store.get_many(conn, up[: offset + limit])
        shown = await visible_among(conn, viewer, [loaded[i] for i in up if i in loaded])
        return await bundle(conn, viewer.id if viewer else None, shown[offset : offset + limit])


async def thread_muted(conn: Conn, account_id: int, status: Status) -> bool:
    """Has the account muted the thread this status belongs to?"""
    return await store.thread_muted(conn, account_id, status.id)


async def set_thread_muted(
    db: Database, account: Account, status_id: int, muted: bool
) -> StatusBundle:
    """Mute or unmute the thread of a status the account can see (repeating is harmless)."""
    async with db.write() as conn:
        status = await visible(conn, account, status_id)
        root = await store.root_id(conn, status.id, ROOT_SEARCH_DEPTH)
        if muted:
            await store.mute(conn, account.id, root, clock.now())
        else:
            await store.unmute(conn, account.id, root)
        shown = await bundle(conn, account.id, [status])
        if muted:
            shown.muted.add(status.id)
        return shown


async def show(db: Database, viewer: Account | None, status_id: int) -> StatusBundle:
    """One status with whether the viewer muted its thread."""
    async with db.read() as conn:
        status = await visible(conn, viewer, status_id)
        shown = await bundle(conn, viewer.id if viewer else None, [status])
        if viewer is not None and await thread_muted(conn, viewer.id, status):
            shown.muted.add(status.id)
        return shown


@dataclass(frozen=True)
class NoteState:
    favorited: bool
    muted_thread: bool


async def state(db: Database, account: Account, status_id: int) -> NoteState:
    async with db.read() as conn:
        status = await status_store.get(conn, status_id)
        if status is None:
            raise NotFound("status")
        favorited = await collection_store.favorited_among(conn, account.id, [status.id])
        return NoteState(bool(favorited), await thread_muted(conn, account.id, status))
