"""Announcements: written by moderators (Misskey's admin/announcements/*, `tandem admin
announcement`), read by everyone in both dialects over the same rows.

Active: `is_active` (Misskey's isActive; reading an announcement made for one account turns
it off) and its window not over (Mastodon's `ends_at`, past which Mastodon unpublishes it).
`starts_at` only says when the event it announces begins, as in Mastodon. Unpublished ones
(Mastodon's drafts) are seen by moderators only. Misskey's `announcements` lists active
ones, or with `isActive: false` only the others; Mastodon's list shows the active ones.
A read is Misskey's `i/read-announcement` and Mastodon's dismiss; reactions are Mastodon's.

Streams (core/events.py): `announcement.created` and `announcement.updated`, then
`announcement.reaction` {name, count} and `announcement.delete`, each {announcement_id}, on
the `broadcast` topic (every stream) or the target's `user:<id>` topic;
`readAllAnnouncements` on `user:<id>` once nothing is left unread after a read.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import regex

from tandem.core import caller_cache, clock, text
from tandem.core.errors import Errors, NotFound, Unprocessable, ValidationFailed
from tandem.core.events import Event, publish_in_write
from tandem.core.i18n import Text, one_of, too_long
from tandem.core.ids import id_at, id_time, new_id
from tandem.core.models import Account, CustomEmoji, Page
from tandem.store import accounts as account_store
from tandem.store import announcements as store
from tandem.store import custom_emojis as emoji_store
from tandem.store.db import AnyRow, Conn, Database

ICONS = ("info", "warning", "error", "success")
DISPLAYS = ("normal", "banner", "dialog")
MODERATORS = ("moderator", "admin", "owner")
TITLE_LIMIT, TEXT_LIMIT, URL_LIMIT = 256, 8192, 1024
REACTION_LIMIT = 8  # distinct reactions per announcement (Mastodon's ReactionValidator)
BROADCAST = "broadcast"  # the topic every stream hears
_SHORTCODE = regex.compile(r":([a-zA-Z0-9_]{2,128}):")

_TAIL = r"(?:\uFE0F|\p{Emoji_Modifier}|[\U000E0020-\U000E007F])*"
_ONE_EMOJI = regex.compile(
    r"\p{Regional_Indicator}\p{Regional_Indicator}|[#*0-9]\uFE0F?\u20E3"
    rf"|\p{{Extended_Pictographic}}{_TAIL}(?:\u200D\p{{Extended_Pictographic}}{_TAIL})*"
    r"|[\u2600-\u27BF]\uFE0F?"
)


@dataclass(frozen=True)
class Announcement:
    id: int
    title: str
    text: str
    image_url: str | None
    icon: str
    display: str
    need_confirmation: bool
    silence: bool
    for_existing_users: bool
    account_id: int | None  # the one account it is for; None: everyone
    is_active: bool
    published: bool
    published_at: datetime | None
    starts_at: datetime | None
    ends_at: datetime | None
    all_day: bool
    created_at: datetime
    updated_at: datetime | None

    def active_at(self, now: datetime) -> bool:
        return self.is_active and (self.ends_at is None or self.ends_at > now)


@dataclass(frozen=True)
class Reaction:
    name: str
    count: int
    me: bool


@dataclass
class Shown:
    """Announcements as one viewer sees them: what it read (None: anonymous), reactions."""

    items: list[Announcement]
    read: set[int] | None = None
    reactions: dict[int, list[Reaction]] = field(default_factory=dict)
    reads: dict[int, int] = field(default_factory=dict)  # read counts (moderators' list)
    # What Mastodon's entity names: mentioned accounts by `text.mention_key`, custom emoji
    # by shortcode (in the texts and the reactions).
    mentioned: dict[str, Account] = field(default_factory=dict)
    emojis: dict[str, CustomEmoji] = field(default_factory=dict)


def is_moderator(account: Account | None) -> bool:
    return account is not None and account.role in MODERATORS


def _from_row(row: AnyRow) -> Announcement:
    m = row._mapping
    return Announcement(**{name: m[name] for name in Announcement.__dataclass_fields__})


def _check(errors: Errors, values: dict[str, Any]) -> None:
    for name, limit in (("title", TITLE_LIMIT), ("text", TEXT_LIMIT), ("image_url", URL_LIMIT)):
        value = values.get(name)
        if value is not None and len(value) > limit:
            errors.add(name, "too_long", too_long(limit))
    if "text" in values and not (values["text"] or "").strip():
        errors.add("text", "blank", "can't be blank")
    if values.get("icon", "info") not in ICONS:
        errors.add("icon", "inclusion", one_of(ICONS))
    if values.get("display", "normal") not in DISPLAYS:
        errors.add("display", "inclusion", one_of(DISPLAYS))


def _window(errors: Errors, starts: datetime | None, ends: datetime | None) -> None:
    """Mastodon's rule: both ends of the window, or neither."""
    if (starts is None) != (ends is None):
        errors.add("starts_at" if starts is None else "ends_at", "blank", "can't be blank")
    elif starts is not None and ends is not None and ends < starts:
        errors.add("ends_at", "invalid", Text("must be after the start"))


def _events(item: Announcement, kind: str, **data: int | str | None) -> Event:
    topic = BROADCAST if item.account_id is None else f"user:{item.account_id}"
    return Event(topic, kind, {"announcement_id": item.id, **data})


async def target_named(db: Database, username: str) -> int:
    """The local account a moderator names (`--user`)."""
    async with db.read() as conn:
        found = await account_store.by_username(conn, username.removeprefix("@"))
    if found is None:
        raise NotFound("user", Text("Local user @{username}", username=username))
    return found.id


async def create(db: Database, **values: Any) -> Announcement:
    """A new announcement (keyword arguments: the columns, `text` required)."""
    errors = Errors()
    _check(errors, values)
    _window(errors, values.get("starts_at"), values.get("ends_at"))
    errors.raise_if_any()
    announcement_id = new_id()
    # Made when its id says (as Misskey's createdAt is its id's): date cursors page by id.
    now = id_time(announcement_id)
    published = values.setdefault("published", True)
    values.setdefault("published_at", now if published else None)
    async with db.write() as conn:
        target = values.get("account_id")
        if target is not None and await account_store.get(conn, target) is None:
            raise NotFound("user")
        await store.insert(conn, id=announcement_id, created_at=now, **values)
        item = _from_row(await _row(conn, announcement_id))
        if item.published and item.active_at(now):
            publish_in_write(_events(item, "announcement.created"))
    return item


async def _row(conn: Conn, announcement_id: int) -> AnyRow:
    row = await store.get(conn, announcement_id)
    if row is None:
        raise NotFound("announcement")
    return row


async def update(db: Database, announcement_id: int, **values: Any) -> Announcement:
    """Change the given columns (None for a nullable one clears it)."""
    errors = Errors()
    _check(errors, values)
    errors.raise_if_any()
    now = clock.now()
    async with db.write() as conn:
        before = _from_row(await _row(conn, announcement_id))
        if values.get("published") and not before.published:
            values["published_at"] = now
        after = replace(before, **values)
        _window(errors, after.starts_at, after.ends_at)
        errors.raise_if_any()
        await store.change(conn, announcement_id, updated_at=now, **values)
        after = replace(after, updated_at=now)
        shown_before = before.published and before.active_at(now)
        if after.published and after.active_at(now):
            publish_in_write(_events(after, "announcement.updated"))
        elif shown_before:
            publish_in_write(_events(after, "announcement.delete"))
    return after


async def delete(db: Database, announcement_id: int) -> None:
    async with db.write() as conn:
        row = await store.remove(conn, announcement_id)
        if row is None:
            raise NotFound("announcement")
        publish_in_write(_events(_from_row(row), "announcement.delete"))


async def _shown(
    conn: Conn, viewer: Account | None, rows: list[AnyRow], *, reactions: bool = False
) -> Shown:
    items = [_from_row(r) for r in rows]
    ids = [i.id for i in items]
    shown = Shown(items)
    if viewer is not None:
        shown.read = await store.read_ids(conn, viewer.id, ids)
    if reactions:  # Mastodon's: with what its entity names
        for r in await store.reactions_of(conn, ids, viewer.id if viewer else None):
            m = r._mapping
            reaction = Reaction(m["name"], int(m["count"]), bool(m["me"]))
            shown.reactions.setdefault(int(m["announcement_id"]), []).append(reaction)
        await _references(conn, shown)
    return shown


async def _references(conn: Conn, shown: Shown) -> None:
    names = {n for i in shown.items for n in text.mentions(i.text) if n[1] is None}
    for username, _ in sorted(names):
        found = await account_store.by_username(conn, username)
        if found is not None:
            shown.mentioned[text.mention_key(found.username, None)] = found
    used = {m for i in shown.items for m in _SHORTCODE.findall(i.text)}
    used |= {r.name for rs in shown.reactions.values() for r in rs}
    if used:
        shown.emojis = {
            e.shortcode: e for e in await emoji_store.all_emojis(conn) if e.shortcode in used
        }


async def listed(db: Database, viewer: Account | None, page: Page, *, active: bool) -> Shown:
    """Misskey's `announcements`: global ones and the viewer's, newest first."""
    async with db.read() as conn:
        rows = await store.listed(
            conn, viewer.id if viewer else None, page, clock.now(), active=active
        )
        return await _shown(conn, viewer, rows)


async def _visible(conn: Conn, viewer: Account | None, announcement_id: int) -> Announcement:
    found = _from_row(await _row(conn, announcement_id))
    others = viewer is not None and found.account_id not in (None, viewer.id)
    if not found.published or others:
        raise NotFound("announcement")
    return found


async def _listed_to(conn: Conn, viewer: Account | None, announcement_id: int) -> Announcement:
    """One Mastodon lists to the viewer: visible to it and active (an inactive one is as
    an unpublished one to Mastodon, 404)."""
    found = await _visible(conn, viewer, announcement_id)
    if not found.active_at(clock.now()):
        raise NotFound("announcement")
    return found


async def show(db: Database, viewer: Account | None, announcement_id: int) -> Shown:
    """One announcement. As Misskey, only a signed-in viewer is refused another account's."""
    async with db.read() as conn:
        found = await _visible(conn, viewer, announcement_id)
        shown = Shown([found])
        if viewer is not None:
            shown.read = await store.read_ids(conn, viewer.id, [found.id])
        return shown


async def for_mastodon(db: Database, viewer: Account, *, with_dismissed: bool = True) -> Shown:
    async with db.read() as conn:
        rows = await store.for_mastodon(conn, viewer.id, clock.now(), with_dismissed=with_dismissed)
        return await _shown(conn, viewer, rows, reactions=True)


async def one_for_mastodon(db: Database, viewer: Account | None, announcement_id: int) -> Shown:
    """One active announcement as Mastodon's streams show it (NotFound: not shown)."""
    async with db.read() as conn:
        found = await _listed_to(conn, viewer, announcement_id)
        return await _shown(conn, viewer, [await _row(conn, found.id)], reactions=True)


async def for_moderators(db: Database, target_id: int | None, page: Page) -> Shown:
    async with db.read() as conn:
        rows = await store.for_admin(conn, target_id, page)
        shown = Shown([_from_row(r) for r in rows])
        shown.reads = await store.read_counts(conn, [i.id for i in shown.items])
        return shown


async def read(db: Database, account: Account, announcement_id: int, *, strict: bool) -> None:
    """The account read (Mastodon: dismissed) it. Misskey ignores an unknown id (`strict`
    False); Mastodon answers 404. One made for this account alone turns inactive."""
    now = clock.now()
    async with db.write() as conn:
        row = await store.get(conn, announcement_id)
        found = _from_row(row) if row is not None else None
        if found is None or not found.published or found.account_id not in (None, account.id):
            if strict:
                raise NotFound("announcement")
            return
        if strict and not found.active_at(now):
            raise NotFound("announcement")
        if not await store.mark_read(conn, new_id(), found.id, account.id, now):
            return
        if found.account_id == account.id and found.is_active:
            await store.change(conn, found.id, is_active=False)
            publish_in_write(_events(found, "announcement.delete"))
        if not await store.unread(conn, account.id, _joined(account), now):
            publish_in_write(Event(f"user:{account.id}", "readAllAnnouncements", {}))


def _joined(account: Account) -> int:
    return id_at(account.created_at)


async def _reaction_name(conn: Conn, raw: str) -> str:
    """Mastodon's rule: a Unicode emoji, or the shortcode of a local custom emoji."""
    if _ONE_EMOJI.fullmatch(raw) or await emoji_store.by_shortcode(conn, raw) is not None:
        return raw
    raise ValidationFailed.one("name", "unrecognized", Text("is not a recognized emoji"))


async def react(db: Database, account: Account, announcement_id: int, raw: str) -> None:
    """Add the reaction (again: nothing changes); at most REACTION_LIMIT distinct ones."""
    async with db.write() as conn:
        await store.lock(conn, announcement_id)
        found = await _listed_to(conn, account, announcement_id)
        name = await _reaction_name(conn, raw)
        others = await store.other_names(conn, found.id, name)
        if others >= REACTION_LIMIT and await store.reaction_count(conn, found.id, name) == 0:
            raise Unprocessable(Text("Limit of different reactions reached"))
        if await store.add_reaction(conn, new_id(), found.id, account.id, name, clock.now()):
            count = await store.reaction_count(conn, found.id, name)
            publish_in_write(_events(found, "announcement.reaction", name=name, count=count))


async def unreact(db: Database, account: Account, announcement_id: int, name: str) -> None:
    """Remove the account's reaction (NotFound when it has none such)."""
    async with db.write() as conn:
        found = await _listed_to(conn, account, announcement_id)
        if not await store.remove_reaction(conn, found.id, account.id, name):
            raise NotFound("announcement")
        count = await store.reaction_count(conn, found.id, name)
        publish_in_write(_events(found, "announcement.reaction", name=name, count=count))


async def unread(db: Database, account: Account) -> list[Announcement]:
    """MeDetailed's unread announcements (cached per worker until an announcement or one of
    the account's reads is written, or the first of them ends)."""

    async def load() -> tuple[list[Announcement], datetime | None]:
        async with db.read() as conn:
            rows = await store.unread(conn, account.id, _joined(account), clock.now())
        items = [_from_row(r) for r in rows]
        ends = [i.ends_at for i in items if i.ends_at is not None]
        return items, min(ends) if ends else None

    return await caller_cache.unread_announcements(db, account.id, store.ANNOUNCEMENTS, load)
