"""Exporting one's data: what each export contains, fetched in resumable batches.

A job asks for one batch after a cursor; the cursor is the last row id it wrote, so a job
that was interrupted asks again from where its last checkpoint stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from tandem.core import antennas, clips, clock
from tandem.core.models import Account, Page
from tandem.core.statuses import StatusBundle, bundle
from tandem.store import accounts as account_store
from tandem.store import collections as collection_store
from tandem.store import exports as store
from tandem.store import jobs as job_store
from tandem.store import lists as list_store
from tandem.store import statuses as status_store
from tandem.store.db import Database

# kind → (Misskey's exportedEntity, file extension)
KINDS: dict[str, tuple[str, str]] = {
    "notes": ("note", "json"),
    "following": ("following", "csv"),
    "blocking": ("blocking", "csv"),
    "mute": ("muting", "csv"),
    "favorites": ("favorite", "json"),
    "antennas": ("antenna", "json"),
    "clips": ("clip", "json"),
    "user-lists": ("userList", "csv"),
}
INACTIVE_AFTER = timedelta(days=90)


@dataclass
class Batch:
    """Rows of one batch, and the cursor after them (None: the export is complete)."""

    accounts: list[Account] = field(default_factory=list)
    memberships: list[tuple[str, Account]] = field(default_factory=list)
    notes: StatusBundle | None = None
    favorites: list[tuple[int, Any]] = field(default_factory=list)  # (favorite id, created_at)
    antennas: list[antennas.Antenna] = field(default_factory=list)
    clips: list[tuple[clips.Clip, StatusBundle]] = field(default_factory=list)
    antenna_lists: dict[int, list[Account]] = field(default_factory=dict)
    next_cursor: int | None = None


async def request(db: Database, account: Account, kind: str, options: dict[str, Any]) -> None:
    async with db.write() as conn:
        await job_store.enqueue(
            conn, "export", {"account_id": account.id, "kind": kind, "options": options}
        )


async def batch(
    db: Database, account: Account, kind: str, after: int, size: int, options: dict[str, Any]
) -> Batch:
    async with db.read() as conn:
        if kind in store.PAIR_TABLES:
            rows = await store.pair_batch(
                conn,
                store.PAIR_TABLES[kind],
                account.id,
                after,
                size,
                skip_muted=kind == "following" and bool(options.get("excludeMuting")),
                active_since=(
                    clock.now() - INACTIVE_AFTER
                    if kind == "following" and options.get("excludeInactive")
                    else None
                ),
                forever_only=kind == "mute",
            )
            found = await account_store.get_many(conn, [t for _, t in rows])
            return Batch(
                accounts=[found[t] for _, t in rows if t in found],
                next_cursor=rows[-1][0] if len(rows) == size else None,
            )
        if kind == "notes":
            ids = await store.status_batch(conn, account.id, after, size)
            posted = await status_store.get_many(conn, ids)
            notes = await bundle(conn, account.id, [posted[i] for i in ids if i in posted])
            return Batch(notes=notes, next_cursor=ids[-1] if len(ids) == size else None)
        if kind == "favorites":
            favs = await collection_store.favorites_page(
                conn, account.id, Page(limit=size, min_id=after or None)
            )
            favs.sort(key=lambda f: f.id)  # oldest first, so the last one is the cursor
            kept_notes = await status_store.get_many(conn, [f.status_id for f in favs])
            kept = [f for f in favs if f.status_id in kept_notes]
            notes = await bundle(conn, account.id, [kept_notes[f.status_id] for f in kept])
            return Batch(
                notes=notes,
                favorites=[(f.id, f.created_at) for f in kept],
                next_cursor=favs[-1].id if len(favs) == size else None,
            )
        if kind == "user-lists":
            pairs = await store.list_memberships(conn, account.id, after, size)
            members = await account_store.get_many(conn, [a for _, a in pairs])
            return Batch(
                memberships=[(t, members[a]) for t, a in pairs if a in members],
                next_cursor=after + len(pairs) if len(pairs) == size else None,
            )
    if kind == "antennas":
        return await _antennas(db, account)
    return await _clips(db, account)


async def _antennas(db: Database, account: Account) -> Batch:
    found = await antennas.all_of(db, account)
    lists: dict[int, list[Account]] = {}
    async with db.read() as conn:
        for antenna in found:
            if antenna.list_id is not None:
                members = await list_store.members(conn, antenna.list_id, Page(limit=0))
                lists[antenna.list_id] = members
    return Batch(antennas=found, antenna_lists=lists)


async def _clips(db: Database, account: Account) -> Batch:
    out: list[tuple[clips.Clip, StatusBundle]] = []
    for clip in await clips.page(db, account, Page(limit=clips.LIMIT)):
        ids = await clips.note_ids(db, clip.id)
        async with db.read() as conn:
            found = await status_store.get_many(conn, ids)
            out.append(
                (clip, await bundle(conn, account.id, [found[i] for i in ids if i in found]))
            )
    return Batch(clips=out)
