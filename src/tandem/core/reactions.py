"""Reactions (Misskey) and favourites (Mastodon): one reaction per account and status.

A Mastodon favourite is Misskey's default reaction (what Misskey stores for a Like), and
unfavouriting removes whatever reaction the caller chose. Reactions are normalised the way
Misskey's ReactionService does: legacy names map to emoji, the first Unicode emoji of the
text is kept (variation selectors dropped unless it is a ZWJ sequence), a custom emoji is
`:name:` when the server has it, and anything else becomes the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import regex

from tandem.core import clock, federation_outbox, stream_events
from tandem.core.errors import AlreadyDone, NotFound, Unprocessable
from tandem.core.models import Account, Page, Status
from tandem.core.statuses import StatusBundle, bundle, ignores, visible
from tandem.store import accounts as account_store
from tandem.store import blocks
from tandem.store import custom_emojis as emoji_store
from tandem.store import notifications as notification_store
from tandem.store import reactions as store
from tandem.store import status_threads as thread_store
from tandem.store import statuses as status_store
from tandem.store.db import Conn, Database

DEFAULT = "\u2764"  # Misskey's like (and an incoming ActivityPub Like): no variation selector

_LEGACY = {
    "like": "👍",
    "love": DEFAULT,
    "laugh": "😆",
    "hmm": "🤔",
    "surprise": "😮",
    "congrats": "🎉",
    "angry": "💢",
    "confused": "😥",
    "rip": "😇",
    "pudding": "🍮",
    "star": "⭐",
}
_TAIL = r"(?:\uFE0F|\p{Emoji_Modifier}|[\U000E0020-\U000E007F])*"
# One emoji as twemoji's parser finds it: flags, keycaps, pictographs with their modifiers,
# and ZWJ sequences of them.
_EMOJI = regex.compile(
    r"\p{Regional_Indicator}\p{Regional_Indicator}|[#*0-9]\uFE0F?\u20E3"
    rf"|\p{{Extended_Pictographic}}{_TAIL}(?:\u200D\p{{Extended_Pictographic}}{_TAIL})*"
)
_CUSTOM = regex.compile(r"^:([A-Za-z0-9_+-]+)(?:@\.)?:$")
_DECODE = regex.compile(r"^:([A-Za-z0-9_+-]+)(?:@([A-Za-z0-9_.-]+))?:$")


def normalize(raw: str | None, local_emojis: frozenset[str] = frozenset()) -> str:
    """The reaction Misskey would store for what a local account sent."""
    if not raw:
        return DEFAULT
    custom = _CUSTOM.match(raw)
    if custom:
        return f":{custom.group(1)}:" if custom.group(1) in local_emojis else DEFAULT
    if raw in _LEGACY:
        return _LEGACY[raw]
    found = _EMOJI.search(raw)
    if found is None:
        return DEFAULT
    emoji = str(found.group(0))
    return emoji if "\u200d" in emoji else emoji.replace("\ufe0f", "")


def decode(stored: str) -> str:
    """The name clients see: a local custom emoji is `:name@.:`, as Misskey shows it."""
    custom = _DECODE.match(stored)
    if custom:
        return f":{custom.group(1)}@{custom.group(2) or '.'}:"
    return _LEGACY.get(stored, stored)


def encode(shown: str) -> str:
    """The stored form of a name as clients see it (`:name@.:` is stored as `:name:`)."""
    return shown[: -len("@.:")] + ":" if shown.endswith("@.:") else shown


@dataclass(frozen=True)
class Reacted:
    id: int
    account: Account
    reaction: str  # as clients see it
    created_at: datetime


async def _target(conn: Conn, account: Account, status_id: int, strict: bool) -> Status:
    found = await status_store.get(conn, status_id)
    if (
        strict
        and found is not None
        and found.account_id != account.id
        and await blocks.exists(conn, found.account_id, account.id)
    ):
        raise Unprocessable(
            "You cannot react to this note because its author has blocked you.",
            code="YOU_HAVE_BEEN_BLOCKED",
        )
    status = await visible(conn, account, status_id)
    if status.reblog_of_id:  # a reaction to a boost is a reaction to what it boosts
        status = await visible(conn, account, status.reblog_of_id)
    return status


async def react(
    db: Database,
    account: Account,
    status_id: int,
    reaction: str | None = None,
    *,
    again_ok: bool = True,
) -> StatusBundle:
    """React (no `reaction`: the default, a Mastodon favourite). Idempotent callers keep the
    reaction they already have; strict ones (Misskey) replace a different one and get
    ALREADY_REACTED for the same one."""
    now = clock.now()
    async with db.write() as conn:
        chosen = await _chosen(conn, reaction)
        status = await _target(conn, account, status_id, not again_ok)
        # Lock order (store/writes.py): the status (its favourites_count moves) first.
        if not await status_store.lock_statuses(conn, [status.id]):
            raise NotFound("status")  # deleted meanwhile
        changed = await store.add(conn, account.id, status.id, chosen, now)
        if not changed and not again_ok:
            changed = await store.replace(conn, account.id, status.id, chosen, now)
            if not changed:
                raise AlreadyDone("ALREADY_REACTED", "You are already reacting to that note.")
        if changed:
            await _notify(conn, account, status, chosen, now)
            stream_events.reacted(status.id, account.id, decode(chosen))
            await federation_outbox.reacted(conn, account, status, decode(chosen), undo=False)
        stored = await status_store.get(conn, status.id)
        if stored is None:
            raise NotFound("status")
        return await bundle(conn, account.id, [stored])


async def _chosen(conn: Conn, raw: str | None) -> str:
    """The stored reaction: a custom one only when this server has that emoji."""
    custom = _CUSTOM.match(raw) if raw else None
    if custom and await emoji_store.by_shortcode(conn, custom.group(1)) is not None:
        return normalize(raw, frozenset({custom.group(1)}))
    return normalize(raw)


def custom_shortcode(stored: str) -> str | None:
    """The shortcode of a stored custom reaction (`:name:`), None for a Unicode one."""
    custom = _CUSTOM.match(stored)
    return custom.group(1) if custom else None


async def _notify(
    conn: Conn, account: Account, status: Status, reaction: str, now: datetime
) -> None:
    owner = status.account_id
    if owner == account.id or await ignores(conn, owner, account.id, status.id):
        return
    await notification_store.insert(
        conn,
        account_id=owner,
        type="favourite",
        from_account_id=account.id,
        status_id=status.id,
        payload={"reaction": decode(reaction)},
        now=now,
    )


async def unreact(
    db: Database, account: Account, status_id: int, *, again_ok: bool = True
) -> StatusBundle:
    """Remove the caller's reaction, whichever it is (NOT_REACTED when strict and none)."""
    async with db.write() as conn:
        status = await _target(conn, account, status_id, False)
        if not await status_store.lock_statuses(conn, [status.id]):
            raise NotFound("status")
        removed = await store.remove(conn, account.id, status.id)
        if removed is None and not again_ok:
            raise AlreadyDone("NOT_REACTED", "You are not reacting to that note.")
        if removed is not None:
            stream_events.reacted(status.id, account.id, decode(removed), undone=True)
            await federation_outbox.reacted(conn, account, status, decode(removed), undo=True)
        stored = await status_store.get(conn, status.id)
        if stored is None:
            raise NotFound("status")
        return await bundle(conn, account.id, [stored])


async def favourites(
    db: Database, account: Account, window: Page
) -> tuple[list[int], StatusBundle]:
    """The caller's reacted statuses, newest reaction first; the reaction ids page them."""
    async with db.read() as conn:
        rows = await store.by_account(conn, account.id, window)
        found = await status_store.get_many(conn, [r.status_id for r in rows])
        kept = [r for r in rows if r.status_id in found]
        shown = await bundle(conn, account.id, [found[r.status_id] for r in kept])
        return [r.id for r in rows], shown


async def on_status(
    db: Database,
    viewer: Account | None,
    status_id: int,
    window: Page,
    reaction: str | None = None,
) -> list[Reacted]:
    """Who reacted to a status the viewer can see (with one reaction, when given)."""
    async with db.read() as conn:
        status = await visible(conn, viewer, status_id)
        wanted = encode(reaction) if reaction else None
        rows = await store.on_status(conn, status.id, window, wanted)
        people = await account_store.get_many(
            conn, {r.account_id for r in rows}, only_functional=True
        )
        return [
            Reacted(r.id, people[r.account_id], decode(r.reaction), r.created_at)
            for r in rows
            if r.account_id in people
        ]


async def rebloggers(
    db: Database, viewer: Account | None, status_id: int, window: Page
) -> list[tuple[int, Account]]:
    """(reblog id, reblogger) for a status the viewer can see, newest first."""
    async with db.read() as conn:
        status = await visible(conn, viewer, status_id)
        # as Mastodon: a reblog of a private status (its author's own) is not listed
        rows = await thread_store.reblogs_page(conn, status.id, window, distributable_only=True)
        people = await account_store.get_many(conn, {a for _, a in rows}, only_functional=True)
        return [(i, people[a]) for i, a in rows if a in people]
