"""Statuses (Misskey notes): posting, who may see what, reblogs, pins, deletion."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from tandem.config import Settings
from tandem.core import clock, languages, text, urls, webhooks
from tandem.core.accounts import require
from tandem.core.errors import (
    AlreadyDone,
    Errors,
    Forbidden,
    NotFound,
    NotFoundKind,
    Unprocessable,
)
from tandem.core.ids import new_id
from tandem.core.models import (
    VISIBILITIES,
    Account,
    Application,
    Page,
    Status,
    User,
    Visibility,
)
from tandem.core.profiles import default_privacy
from tandem.store import accounts as account_store
from tandem.store import blocks, mutes
from tandem.store import collections as collection_store
from tandem.store import media as media_store
from tandem.store import notifications as notification_store
from tandem.store import oauth as oauth_store
from tandem.store import statuses as store
from tandem.store.db import Conn, Database

MEDIA_DESCRIPTION_LIMIT = 1500


@dataclass(frozen=True)
class NewStatus:
    text: str = ""
    spoiler_text: str = ""
    visibility: str | None = None
    sensitive: bool | None = None
    language: str | None = None
    in_reply_to_id: int | None = None
    media_ids: Sequence[int] = ()
    recipient_ids: Sequence[int] = ()  # Misskey's visibleUserIds: addressed without @mention


@dataclass
class StatusBundle:
    """Statuses plus everything needed to show them to one viewer, loaded in a few queries."""

    statuses: list[Status]
    originals: dict[int, Status] = field(default_factory=dict)  # reblogged statuses by id
    accounts: dict[int, Account] = field(default_factory=dict)
    applications: dict[int, Application] = field(default_factory=dict)
    reblogged: set[int] = field(default_factory=set)
    pinned: set[int] = field(default_factory=set)
    favorited: set[int] = field(default_factory=set)  # Misskey favorites, Mastodon bookmarks
    viewer_id: int | None = None


async def bundle(conn: Conn, viewer_id: int | None, found: list[Status]) -> StatusBundle:
    originals = await store.get_many(conn, {s.reblog_of_id for s in found if s.reblog_of_id})
    everything = found + list(originals.values())
    account_ids = {s.account_id for s in everything}
    account_ids |= {m.account_id for s in everything for m in s.mentions}
    app_ids = {s.application_id for s in everything if s.application_id}
    applications = await oauth_store.apps_by_ids(conn, app_ids)
    ids = [s.id for s in everything]
    return StatusBundle(
        statuses=found,
        originals=originals,
        accounts=await account_store.get_many(conn, account_ids),
        applications=applications,
        reblogged=await store.reblogged_among(conn, viewer_id, ids) if viewer_id else set(),
        pinned=await store.pinned_among(conn, viewer_id, ids) if viewer_id else set(),
        favorited=await collection_store.favorited_among(conn, viewer_id, ids)
        if viewer_id
        else set(),
        viewer_id=viewer_id,
    )


async def can_see(conn: Conn, viewer: Account | None, status: Status) -> bool:
    if viewer is not None and viewer.id == status.account_id:
        return True
    if viewer is not None and await blocks.exists(conn, status.account_id, viewer.id):
        return False
    if status.visibility in ("public", "unlisted"):
        return True
    if viewer is None:
        return False
    if status.visibility == "private":
        return await store.is_follower(conn, viewer.id, status.account_id) or (
            await store.mentions_account(conn, status.id, viewer.id)
        )
    return await store.mentions_account(conn, status.id, viewer.id)


async def visible(
    conn: Conn, viewer: Account | None, status_id: int, kind: NotFoundKind = "status"
) -> Status:
    status = await store.get(conn, status_id)
    if status is None or not await can_see(conn, viewer, status):
        raise NotFound(kind)
    return status


async def show(db: Database, viewer: Account | None, status_id: int) -> StatusBundle:
    async with db.read() as conn:
        status = await visible(conn, viewer, status_id)
        return await bundle(conn, viewer.id if viewer else None, [status])


def _check(
    new: NewStatus, settings: Settings, account: Account, user: User
) -> tuple[Visibility, str | None]:
    errors = Errors()
    body = new.text.strip()
    if not body and not new.media_ids:
        errors.add("text", "blank", "can't be blank")
    length = text.countable_length(body) + text.countable_length(new.spoiler_text)
    if length > settings.max_status_characters:
        errors.add(
            "text", "too_long", f"character limit of {settings.max_status_characters} exceeded"
        )
    visibility = new.visibility or default_privacy(account, user)
    if visibility not in VISIBILITIES:
        errors.add("visibility", "inclusion", f"must be one of {', '.join(VISIBILITIES)}")
    language = new.language or user.settings.default_language
    if language is not None and not languages.is_language(language):
        errors.add("language", "inclusion", "must be an ISO 639-1 language code (like en)")
    if len(new.media_ids) > settings.max_media_attachments:
        errors.add(
            "media_attachments",
            "too_long",
            f"is too long (maximum is {settings.max_media_attachments} attachments)",
        )
    errors.raise_if_any()
    return cast(Visibility, visibility), language


async def create(
    db: Database,
    settings: Settings,
    account: Account,
    user: User,
    new: NewStatus,
    application_id: int | None = None,
) -> StatusBundle:
    visibility, language = _check(new, settings, account, user)
    now = clock.now()
    async with db.write() as conn:
        parent = (
            await visible(conn, account, new.in_reply_to_id, "reply_target")
            if new.in_reply_to_id
            else None
        )
        # Lock order (store/writes.py): the parent (its replies_count moves), then our account,
        # then the media to attach (so two posts cannot both take the same attachment).
        if parent is not None and not await store.lock_statuses(conn, [parent.id]):
            raise NotFound("reply_target")  # deleted meanwhile
        await account_store.lock_accounts(conn, account.id)
        await store.lock_attachments(conn, new.media_ids)
        media = await media_store.get_many(conn, new.media_ids)
        for media_id in new.media_ids:
            item = media.get(media_id)
            if item is None or item.account_id != account.id:
                raise NotFound("file")
            if item.status_id is not None:
                raise Unprocessable("Media has already been attached to another post")
        mentioned = await _mentioned_accounts(conn, settings, new.text)
        known = {
            text.mention_key(u, d): (urls.profile_url(settings, a), a.acct())
            for (u, d), a in mentioned.items()
        }
        status = Status(
            id=new_id(),
            account_id=account.id,
            text=new.text.strip(),
            content=text.render(new.text.strip(), base_url=settings.base_url, mention_urls=known),
            created_at=now,
            visibility=visibility,
            spoiler_text=new.spoiler_text.strip(),
            sensitive=bool(new.sensitive) or bool(new.spoiler_text.strip()),
            language=language,
            in_reply_to_id=parent.id if parent else None,
            in_reply_to_account_id=parent.account_id if parent else None,
            application_id=application_id,
        )
        recipients = await account_store.get_many(conn, new.recipient_ids, only_functional=True)
        if len(recipients) != len(set(new.recipient_ids)):
            raise NotFound("recipient")
        mention_ids = list(dict.fromkeys([*(a.id for a in mentioned.values()), *new.recipient_ids]))
        tag_ids = await store.ensure_tags(conn, text.hashtags(status.text), now)
        await store.insert(conn, status, mention_ids, tag_ids)
        await media_store.attach(conn, new.media_ids, status.id)
        await account_store.adjust_counts(conn, account.id, statuses=1, last_status_at=now)
        if parent is not None:
            await store.adjust(conn, parent.id, replies=1)
        for target in mention_ids:
            if target != account.id and not await _ignores(conn, target, account.id):
                await notification_store.insert(
                    conn,
                    account_id=target,
                    from_account_id=account.id,
                    type="mention",
                    status_id=status.id,
                    now=now,
                )
                await webhooks.emit(conn, target, "mention", note_id=status.id)
        await webhooks.emit(conn, account.id, "note", note_id=status.id)
        if parent is not None and parent.account_id != account.id:
            await webhooks.emit(conn, parent.account_id, "reply", note_id=status.id)
        stored = await store.get(conn, status.id)
        assert stored is not None
        return await bundle(conn, account.id, [stored])


async def _mentioned_accounts(
    conn: Conn, settings: Settings, body: str
) -> dict[tuple[str, str | None], Account]:
    found: dict[tuple[str, str | None], Account] = {}
    for username, domain in text.mentions(body):
        local = domain is None or domain.lower() == settings.domain.lower()
        account = await account_store.by_username(conn, username, None if local else domain)
        if account is not None:
            found[(username, domain)] = account
    return found


async def _ignores(conn: Conn, account_id: int, other_id: int) -> bool:
    """Does the account block or mute the other (so it gets no notification from it)?"""
    return await blocks.exists(conn, account_id, other_id) or await mutes.mutes_now(
        conn, account_id, other_id, clock.now()
    )


async def delete(db: Database, account: Account, status_id: int) -> StatusBundle:
    """Delete one's own status; the bundle shows it as it was (with its source text)."""
    async with db.write() as conn:
        status = await store.get(conn, status_id)
        if status is None or status.account_id != account.id:
            raise NotFound("status")
        # Lock order (store/writes.py): statuses in ascending id order (the reblogged original
        # or the parent, whose counter moves, before this one), then its reblogs, then every
        # account whose counter moves. Once this row is held FOR UPDATE, no reblog, reply or
        # pin of it can start, and every unreblog waits.
        related = [i for i in (status.reblog_of_id, status.in_reply_to_id) if i]
        if status.id not in await store.lock_statuses(
            conn, [*related, status.id], deleting=[status.id]
        ):
            raise NotFound("status")  # a concurrent delete got there first
        status = await store.get(conn, status_id)
        assert status is not None
        shown = await bundle(conn, account.id, [status])
        reblogs = await store.reblog_ids_of(conn, status.id)
        await store.lock_statuses(conn, [r for r, _ in reblogs], deleting=[r for r, _ in reblogs])
        await account_store.lock_accounts(conn, account.id, *(a for _, a in reblogs))
        losses: dict[int, int] = {account.id: 1}  # statuses_count lost per account
        for reblogger in await store.delete_reblogs_of(conn, status.id):
            losses[reblogger] = losses.get(reblogger, 0) + 1
        if await store.delete_status(conn, status.id, account.id) is None:
            raise NotFound("status")
        for account_id in sorted(losses):  # the order the rows were locked in
            await account_store.adjust_counts(conn, account_id, statuses=-losses[account_id])
        await account_store.set_last_status_at(
            conn, account.id, await store.latest_created_at(conn, account.id)
        )
        if status.reblog_of_id:
            await store.adjust(conn, status.reblog_of_id, reblogs=-1)
        if status.in_reply_to_id:
            await store.adjust(conn, status.in_reply_to_id, replies=-1)
    return shown


async def reblog(
    db: Database, account: Account, status_id: int, visibility: str | None = None
) -> StatusBundle:
    now = clock.now()
    async with db.write() as conn:
        original = await visible(conn, account, status_id)
        if original.reblog_of_id:
            original = await visible(conn, account, original.reblog_of_id)
        private_own = original.visibility == "private" and original.account_id == account.id
        if original.visibility == "direct" or (
            original.visibility == "private" and not private_own
        ):
            raise Forbidden("This action is not allowed")
        # Lock order (store/writes.py): the original (its reblogs_count moves), then our account.
        if not await store.lock_statuses(conn, [original.id]):
            raise NotFound("status")  # deleted meanwhile
        await account_store.lock_accounts(conn, account.id)
        existing = await store.reblog_by(conn, account.id, original.id)
        if existing is None:
            chosen = visibility if visibility in ("public", "unlisted", "private") else "public"
            if private_own:
                chosen = "private"
            made = Status(
                id=new_id(),
                account_id=account.id,
                text="",
                created_at=now,
                visibility=cast(Visibility, chosen),
                reblog_of_id=original.id,
            )
            # One reblog per account and status (a unique index): a racing twin inserts
            # nothing and answers with the reblog that won, like a repeated request.
            if await store.insert(conn, made, [], []):
                existing = made
                await _counted_reblog(conn, account, original, existing, now)
            else:
                existing = await store.reblog_by(conn, account.id, original.id)
                if existing is None:
                    raise NotFound("status")  # the winner was undone meanwhile
        stored = await store.get(conn, existing.id)
        if stored is None:
            raise NotFound("status")
        return await bundle(conn, account.id, [stored])


async def _counted_reblog(
    conn: Conn, account: Account, original: Status, existing: Status, now: datetime
) -> None:
    """Counters, notification and webhooks of a reblog this transaction created."""
    await account_store.adjust_counts(conn, account.id, statuses=1, last_status_at=now)
    await store.adjust(conn, original.id, reblogs=1)
    if original.account_id != account.id and not await _ignores(
        conn, original.account_id, account.id
    ):
        await notification_store.insert(
            conn,
            account_id=original.account_id,
            from_account_id=account.id,
            type="reblog",
            status_id=original.id,
            now=now,
        )
        await webhooks.emit(conn, original.account_id, "renote", note_id=existing.id)
    await webhooks.emit(conn, account.id, "note", note_id=existing.id)


async def unreblog(db: Database, account: Account, status_id: int) -> StatusBundle:
    async with db.write() as conn:
        original = await visible(conn, account, status_id)
        # Lock order (store/writes.py): the original, then our account (as delete and reblog).
        if not await store.lock_statuses(conn, [original.id]):
            raise NotFound("status")  # deleted meanwhile (its reblogs went with it)
        await account_store.lock_accounts(conn, account.id)
        if await store.delete_reblog(conn, account.id, original.id):
            await account_store.adjust_counts(conn, account.id, statuses=-1)
            await store.adjust(conn, original.id, reblogs=-1)
        refreshed = await store.get(conn, original.id)
        assert refreshed is not None
        return await bundle(conn, account.id, [refreshed])


async def pin(
    db: Database, settings: Settings, account: Account, status_id: int, *, again_ok: bool = True
) -> StatusBundle:
    """Pin one's own post; pinning it again is fine unless `again_ok` is False (Misskey)."""
    async with db.write() as conn:
        status = await visible(conn, account, status_id)
        if status.reblog_of_id:
            raise Unprocessable("A boost cannot be pinned", code="PIN_REBLOG")
        if status.account_id != account.id:
            raise Unprocessable("Someone else's post cannot be pinned", code="PIN_OWNERSHIP")
        if status.visibility == "direct":
            raise Unprocessable(
                "Posts that are only visible to mentioned users cannot be pinned",
                code="PIN_DIRECT",
            )
        # Lock order (store/writes.py): the status first (a concurrent delete finishes before
        # us, or waits for us), then the account: pins of one account are decided one at a
        # time, so the limit holds under races too.
        if not await store.lock_statuses(conn, [status.id]):
            raise NotFound("status")  # deleted meanwhile
        await account_store.lock_accounts(conn, account.id)
        if await store.pinned_among(conn, account.id, [status.id]):
            if not again_ok:
                raise AlreadyDone("ALREADY_PINNED", "That note is already pinned.")
        else:
            if await store.count_pins(conn, account.id) >= settings.max_pinned_statuses:
                raise Unprocessable(
                    "You have already pinned the maximum number of posts", code="PIN_LIMIT"
                )
            await store.pin(conn, account.id, status.id, clock.now())
        return await bundle(conn, account.id, [status])


async def unpin(db: Database, account: Account, status_id: int) -> StatusBundle:
    async with db.write() as conn:
        status = await visible(conn, account, status_id)
        await store.unpin(conn, account.id, status.id)  # deleting twice is harmless
        return await bundle(conn, account.id, [status])


@dataclass(frozen=True)
class AccountStatusesQuery:
    only_media: bool = False
    exclude_replies: bool = False
    exclude_reblogs: bool = False
    pinned: bool = False
    tagged: str | None = None


async def of_account(
    db: Database,
    viewer: Account | None,
    account_id: int,
    page: Page,
    query: AccountStatusesQuery,
) -> StatusBundle:
    """An account's statuses as the viewer may see them, newest first."""
    async with db.read() as conn:
        owner = await require(conn, account_id)
        if owner.suspended:
            return StatusBundle(statuses=[])
        viewer_id = viewer.id if viewer else None
        visibilities: tuple[Visibility, ...] = ("public", "unlisted")
        mentioned: int | None = None
        if viewer is not None and viewer.id == owner.id:
            visibilities = VISIBILITIES
        elif viewer is not None:
            if await blocks.exists(conn, owner.id, viewer.id):
                return StatusBundle(statuses=[])
            if await store.is_follower(conn, viewer.id, owner.id):
                visibilities = ("public", "unlisted", "private")
            mentioned = viewer.id
        found = await store.by_account(
            conn,
            owner.id,
            page,
            store.AccountFilter(
                visibilities=visibilities,
                mentioned_viewer=mentioned,
                only_media=query.only_media,
                exclude_replies=query.exclude_replies,
                exclude_reblogs=query.exclude_reblogs,
                pinned=query.pinned,
                tagged=query.tagged,
                hide_reblogs_of=viewer_id if viewer_id != owner.id else None,
            ),
            clock.now(),
        )
        return await bundle(conn, viewer_id, found)
