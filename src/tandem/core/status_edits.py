"""Editing a status (Mastodon's PUT /api/v1/statuses/:id): new text, content warning,
sensitivity, language and media; each version kept for its history (the original first);
those who reblogged it are told (`update` notifications, Mastodon's rule)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from tandem.config import Settings
from tandem.core import (
    clock,
    drive,
    federation_outbox,
    hashtags,
    media,
    polls,
    preview_cards,
    quotes,
    stream_events,
    text,
    urls,
)
from tandem.core.errors import Forbidden, NotFound, Unprocessable, ValidationFailed
from tandem.core.i18n import too_long
from tandem.core.images import Upload
from tandem.core.models import Account, MediaAttachment, Status, User
from tandem.core.poll_rules import NewPoll
from tandem.core.statuses import (
    NewStatus,
    StatusBundle,
    bundle,
    ignores,
    mentioned_accounts,
    validate,
    visible,
)
from tandem.store import accounts as account_store
from tandem.store import media as media_store
from tandem.store import notifications as notification_store
from tandem.store import polls as poll_store
from tandem.store import status_edits as store
from tandem.store import statuses as status_store
from tandem.store.db import Conn, Database
from tandem.store.files import MediaFiles


@dataclass(frozen=True)
class MediaChange:
    """Mastodon's `media_attributes[]`: new alt text, focus or (video, audio) thumbnail of
    an attachment the edited status keeps."""

    id: int
    description: str | None = None
    focus: str | None = None
    thumbnail: Upload | None = None


@dataclass(frozen=True)
class Edit:
    text: str = ""
    spoiler_text: str = ""
    sensitive: bool | None = None
    language: str | None = None
    media_ids: Sequence[int] | None = None  # None: keep the media as they are
    media_changes: Sequence[MediaChange] = ()
    # The poll as sent (core/polls.py `revise`): None removes it, as Mastodon's edits do;
    # left as it is unless `poll_sent`.
    poll: NewPoll | None = None
    poll_sent: bool = False


async def edit(
    db: Database,
    settings: Settings,
    files: MediaFiles,
    account: Account,
    user: User,
    status_id: int,
    change: Edit,
) -> StatusBundle:
    # New thumbnails are processed and written before the transaction (as PUT /media does:
    # core/drive.py), recorded inside it, and removed again if it fails; the ones they
    # replace go once it has committed.
    thumbnails = await _new_thumbnails(db, settings, files, account, change.media_changes)
    replaced: list[MediaAttachment] = []
    try:
        found = await _edit(db, settings, account, user, status_id, change, thumbnails, replaced)
    except BaseException:
        drive.discard_thumbnails(files, thumbnails.values())
        raise
    recorded = {m.id for m in replaced}
    drive.discard_thumbnails(files, [t for t in thumbnails.values() if t.media_id not in recorded])
    files.delete(*(m.thumbnail.path for m in replaced if m.thumbnail is not None))
    return found


async def _new_thumbnails(
    db: Database,
    settings: Settings,
    files: MediaFiles,
    account: Account,
    changes: Sequence[MediaChange],
) -> dict[int, drive.NewThumbnail]:
    wanted = {c.id: c.thumbnail for c in changes if c.thumbnail is not None}
    if not wanted:
        return {}
    async with db.read() as conn:
        found = await media_store.get_many(conn, wanted)
    prepared: dict[int, drive.NewThumbnail] = {}
    try:
        for media_id, upload in wanted.items():
            item = found.get(media_id)
            if item is not None and item.account_id == account.id:  # others: refused below
                prepared[media_id] = await drive.prepare_thumbnail(settings, files, item, upload)
    except BaseException:
        drive.discard_thumbnails(files, prepared.values())
        raise
    return prepared


async def _edit(
    db: Database,
    settings: Settings,
    account: Account,
    user: User,
    status_id: int,
    change: Edit,
    thumbnails: dict[int, drive.NewThumbnail],
    replaced: list[MediaAttachment],
) -> StatusBundle:
    now = clock.now()
    async with db.write() as conn:
        status = await visible(conn, account, status_id)
        if status.account_id != account.id or status.reblog_of_id:
            raise Forbidden("This action is not allowed")
        media_ids = (
            list(dict.fromkeys(change.media_ids))
            if change.media_ids is not None
            else [m.id for m in status.media]
        )
        new = NewStatus(
            text=change.text,
            spoiler_text=change.spoiler_text,
            visibility=status.visibility,
            language=change.language or status.language,
            media_ids=media_ids,
            poll=change.poll if change.poll_sent else None,
        )
        _, language = validate(new, settings, account, user)
        # Lock order (store/writes.py): the status, then media (old and new).
        if not await status_store.lock_statuses(conn, [status.id]):
            raise NotFound("status")
        await status_store.lock_attachments(conn, {*media_ids, *(m.id for m in status.media)})
        found = await media_store.get_many(conn, media_ids)
        for media_id in media_ids:
            item = found.get(media_id)
            if item is None or item.account_id != account.id:
                raise NotFound("file")
            if item.status_id not in (None, status.id):
                raise Unprocessable("Media has already been attached to another post")
        media.check_attachable(found.values())
        # As Mastodon's update_media_attachments!: attributes of media the status does not
        # keep are ignored, and only a real change to one makes a new version.
        media_changed = False
        for media_change in change.media_changes:
            item = found.get(media_change.id)
            if item is None:
                continue
            description = media_change.description
            if description is not None and len(description) > media.DESCRIPTION_LIMIT:
                raise ValidationFailed.one(
                    "description",
                    "too_long",
                    too_long(media.DESCRIPTION_LIMIT),
                )
            description = description.strip() if description is not None else None
            focus = media.parse_focus(media_change.focus)
            await media_store.update_details(
                conn, media_change.id, description=description, focus=focus
            )
            new_thumbnail = thumbnails.get(media_change.id)
            if new_thumbnail is not None:
                replaced.append(await drive.record_thumbnail(conn, new_thumbnail))
            media_changed = (
                media_changed
                or new_thumbnail is not None
                or (description is not None and description != item.description)
                or (focus is not None and tuple(focus) != tuple(item.focus))
            )
        body = change.text.strip()
        spoiler = change.spoiler_text.strip()
        sensitive = bool(change.sensitive) or bool(spoiler)
        revised = (
            await polls.revise(conn, status.id, account.id, status.poll_id, change.poll)
            if change.poll_sent
            else None
        )
        changed = (
            (revised is not None and revised.changed)
            or body != status.text
            or spoiler != status.spoiler_text
            or sensitive != status.sensitive
            or media_ids != [m.id for m in status.media]
            or media_changed
        )
        if not changed:
            if language != status.language:
                await store.update_status(conn, status.id, language=language)
            return await _reloaded(conn, account.id, status.id)
        kept = await store.versions(conn, status.id)
        before = revised.previous if revised else await poll_options_of(conn, status)
        if not kept:  # the original becomes the first version
            await store.keep(conn, status.id, version_of(status, status.created_at, before))
        mentioned = await mentioned_accounts(conn, settings, body)
        known = {
            text.mention_key(u, d): (urls.profile_url(settings, a), a.acct())
            for (u, d), a in mentioned.items()
        }
        content = text.render(body, base_url=settings.base_url, mention_urls=known)
        await store.update_status(
            conn,
            status.id,
            text=body,
            content=content,
            spoiler_text=spoiler,
            sensitive=sensitive,
            language=language,
            edited_at=now,
            poll_id=revised.poll_id if revised else status.poll_id,
        )
        names = text.hashtags(body)
        tag_ids = await status_store.ensure_tags(conn, names, now)
        had = {text.tag_key(n) for n in status.tags}
        added = [t for n, t in zip(names, tag_ids, strict=True) if text.tag_key(n) not in had]
        await hashtags.on_posted(conn, account, status.visibility, added, now)
        mention_ids = list(dict.fromkeys(a.id for a in mentioned.values()))
        if status.visibility == "direct":  # the addressees stay addressed
            mention_ids = list(
                dict.fromkeys([*mention_ids, *(m.account_id for m in status.mentions)])
            )
        await store.set_mentions_and_tags(conn, status.id, mention_ids, tag_ids)
        await store.set_media(conn, status.id, media_ids)
        updated = await status_store.get(conn, status.id)
        assert updated is not None
        after = revised.options if revised else before
        await store.keep(conn, status.id, version_of(updated, now, after))
        await preview_cards.on_saved(conn, updated, edited=True)
        await tell_boosters(conn, account.id, status.id, now)
        await quotes.on_edited(conn, updated, now)
        stream_events.status_edited(status.id)
        await federation_outbox.edited(conn, account, updated)
        return await bundle(conn, account.id, [updated])


async def tell_boosters(conn: Conn, author_id: int, status_id: int, now: datetime) -> None:
    """An `update` notification for each local account that boosted the edited status (its
    author aside, and those who ignore it), as Mastodon tells them of an edit."""
    boosters = {r for _, r in await status_store.reblog_ids_of(conn, status_id)} - {author_id}
    found = await account_store.get_many(conn, boosters)
    for booster in sorted(a.id for a in found.values() if a.local):
        if not await ignores(conn, booster, author_id, status_id):
            await notification_store.insert(
                conn,
                account_id=booster,
                type="update",
                from_account_id=author_id,
                status_id=status_id,
                now=now,
            )


async def _reloaded(conn: Conn, viewer_id: int, status_id: int) -> StatusBundle:
    status = await status_store.get(conn, status_id)
    assert status is not None
    return await bundle(conn, viewer_id, [status])


async def poll_options_of(conn: Conn, status: Status) -> list[str] | None:
    """The choices of the status's poll now (None without a poll)."""
    found = await poll_store.get(conn, status.poll_id) if status.poll_id else None
    return found.options if found else None


def version_of(status: Status, at: datetime, poll_options: list[str] | None) -> store.Version:
    """The status as it reads now, kept as a version of it made at `at`."""
    return store.Version(
        id=0,
        account_id=status.account_id,
        text=status.text,
        spoiler_text=status.spoiler_text,
        content=status.content,
        sensitive=status.sensitive,
        media_ids=[m.id for m in status.media],
        poll_options=poll_options,
        created_at=at,
        media_descriptions=[m.description for m in status.media],
    )


@dataclass
class History:
    versions: list[store.Version]
    author: Account
    media: dict[int, MediaAttachment] = field(default_factory=dict)

    def media_of(self, version: store.Version) -> list[MediaAttachment]:
        """The version's media in its order, each with the description it had then (as
        Mastodon's ordered_media_attachments); a version kept without descriptions shows
        the current ones, and media since deleted are left out."""
        kept = version.media_descriptions
        shown = []
        for index, media_id in enumerate(version.media_ids):
            item = self.media.get(media_id)
            if item is None:
                continue
            if kept is not None and index < len(kept):
                item = replace(item, description=kept[index])
            shown.append(item)
        return shown


async def history(db: Database, viewer: Account | None, status_id: int) -> History:
    """The versions of a status the viewer can see, oldest first (just the status when it
    was never edited)."""
    async with db.read() as conn:
        status = await visible(conn, viewer, status_id)
        kept = await store.versions(conn, status.id) or [
            version_of(status, status.created_at, await poll_options_of(conn, status))
        ]
        author = await account_store.get(conn, status.account_id)
        if author is None:
            raise NotFound("status")
        found = await media_store.get_many(conn, {i for v in kept for i in v.media_ids})
        return History(kept, author, found)


async def source(db: Database, viewer: Account, status_id: int) -> Status:
    async with db.read() as conn:
        return await visible(conn, viewer, status_id)
