"""Statuses from other servers: stored like local ones (timelines, threads, notifications,
hashtags and streams treat them alike), found again by their ActivityPub id."""

from __future__ import annotations

from tandem.config import Settings
from tandem.core import (
    clock,
    hashtags,
    home_feeds,
    poll_rules,
    status_edits,
    stream_events,
    text,
    urls,
)
from tandem.core.federation_models import RemoteMedia, RemoteNote
from tandem.core.ids import new_id
from tandem.core.models import Account, ImageRef, MediaAttachment, MediaKind, Status
from tandem.core.poll_rules import NewPoll
from tandem.core.statuses import ignores
from tandem.store import accounts as account_store
from tandem.store import federation as store
from tandem.store import media as media_store
from tandem.store import notifications as notification_store
from tandem.store import status_edits as edit_store
from tandem.store import statuses as status_store
from tandem.store.db import Conn, Database

MAX_MEDIA = 16


def _kind(media_type: str) -> MediaKind:
    major = media_type.split("/", 1)[0]
    if major == "image":
        return "gifv" if media_type == "image/gif" else "image"
    if major in ("video", "audio"):
        return "video" if major == "video" else "audio"
    return "unknown"


def _attachment(author_id: int, status_id: int, item: RemoteMedia) -> MediaAttachment:
    return MediaAttachment(
        id=new_id(),
        account_id=author_id,
        status_id=status_id,
        type=_kind(item.media_type),
        file=ImageRef(
            path=item.url, content_type=item.media_type, width=item.width, height=item.height
        ),
        thumbnail=None,
        description=item.description,
        blurhash=item.blurhash,
        focus=(0.0, 0.0),
        created_at=clock.now(),
    )


async def status_id_by_uri(db: Database, uri: str) -> int | None:
    async with db.read() as conn:
        return await store.status_id_by_uri(conn, uri)


async def receive(db: Database, settings: Settings, author: Account, note: RemoteNote) -> int:
    """Store a remote note (a repeated delivery finds the one stored): the status's id."""
    now = clock.now()
    async with db.write() as conn:
        existing = await store.status_id_by_uri(conn, note.uri)
        if existing is not None:
            return existing
        parent = await status_by_uri(conn, settings, note.in_reply_to) if note.in_reply_to else None
        mentioned: list[Account] = []
        for uri in dict.fromkeys(note.mentions):
            found = await account_by_uri(conn, settings, uri)
            if found is not None:
                mentioned.append(found)
        status = Status(
            id=new_id(),
            account_id=author.id,
            text=note.text,
            content=note.content_html,
            created_at=min(note.published, now),
            visibility=note.visibility,
            spoiler_text=note.summary,
            sensitive=note.sensitive or bool(note.summary),
            language=note.language,
            in_reply_to_id=parent.id if parent else None,
            in_reply_to_account_id=parent.account_id if parent else None,
            uri=note.uri,
            url=note.url,
            poll_id=poll_rules.new_poll_id() if note.poll is not None else None,
        )
        if parent is not None and not await status_store.lock_statuses(conn, [parent.id]):
            parent = None
        tag_ids = await status_store.ensure_tags(conn, [text.tag_key(t) for t in note.tags], now)
        mention_ids = [a.id for a in mentioned]
        if not await status_store.insert(conn, status, mention_ids, tag_ids):
            won = await store.status_id_by_uri(conn, note.uri)  # a twin delivery won
            assert won is not None
            return won
        if note.poll is not None and status.poll_id is not None:
            poll = NewPoll(note.poll.options, note.poll.expires_at, note.poll.multiple)
            await poll_rules.attach(conn, status.id, author.id, status.poll_id, poll)
        for item in note.media[:MAX_MEDIA]:  # (ids in the note's order keep its order)
            await media_store.insert(conn, _attachment(author.id, status.id, item))
        await hashtags.on_posted(conn, author, note.visibility, tag_ids, now)
        await home_feeds.on_posted(conn, author, status)
        await account_store.adjust_counts(conn, author.id, statuses=1, last_status_at=now)
        if parent is not None:
            await status_store.adjust(conn, parent.id, replies=1)
        for target in mentioned:
            if target.local and not await ignores(conn, target.id, author.id, status.id):
                await notification_store.insert(
                    conn,
                    account_id=target.id,
                    from_account_id=author.id,
                    type="mention",
                    status_id=status.id,
                    now=now,
                )
        stored = await status_store.get(conn, status.id)
        assert stored is not None
        await stream_events.status_posted(conn, stored, local=False)
        return status.id


async def status_by_uri(conn: Conn, settings: Settings, uri: str) -> Status | None:
    """A status by its ActivityPub id: one of ours, or a remote one stored before."""
    local = urls.local_status_id(settings, uri)
    found_id = local if local is not None else await store.status_id_by_uri(conn, uri)
    return await status_store.get(conn, found_id) if found_id is not None else None


async def revise(db: Database, author: Account, note: RemoteNote) -> bool:
    """Update(Note): its author edited a remote post this server keeps. As for a local edit,
    the versions are kept (the original first) and the local accounts that boosted it are
    told; an Update that changes nothing in what is shown keeps no version."""
    async with db.write() as conn:
        status_id = await store.status_id_by_uri(conn, note.uri)
        if status_id is None:
            return False
        current = await status_store.get(conn, status_id)
        if current is None or current.account_id != author.id:
            return False
        sensitive = note.sensitive or bool(note.summary)
        shown = (note.content_html, note.summary, sensitive)
        if shown == (current.content, current.spoiler_text, current.sensitive):
            return True
        options = await status_edits.poll_options_of(conn, current)
        if not await edit_store.versions(conn, status_id):
            original = status_edits.version_of(current, current.created_at, options)
            await edit_store.keep(conn, status_id, original)
        edited_at = note.updated or clock.now()
        await store.revise_status(
            conn,
            status_id,
            text=note.text,
            content=note.content_html,
            spoiler_text=note.summary,
            sensitive=sensitive,
            edited_at=edited_at,
        )
        updated = await status_store.get(conn, status_id)
        assert updated is not None
        await edit_store.keep(conn, status_id, status_edits.version_of(updated, edited_at, options))
        await status_edits.tell_boosters(conn, author.id, status_id, clock.now())
        stream_events.status_edited(status_id)
        return True


async def account_by_uri(conn: Conn, settings: Settings, uri: str) -> Account | None:
    """An account by its ActivityPub id: one of ours, or a remote one stored before."""
    local = urls.local_actor_id(settings, uri)
    if local is not None:
        return await account_store.get(conn, local)
    return await store.account_by_uri(conn, uri)
