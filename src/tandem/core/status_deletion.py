"""Deleting one's own status: its reblogs go with it, counters move back, and its media are
deleted too (Mastodon's delete_media) or left detached for a redraft."""

from __future__ import annotations

from tandem.core import conversations, federation_outbox, home_feeds, stream_events
from tandem.core.errors import NotFound
from tandem.core.models import Account
from tandem.core.statuses import StatusBundle, bundle
from tandem.store import accounts as account_store
from tandem.store import media as media_store
from tandem.store import notification_requests as request_store
from tandem.store import statuses as store
from tandem.store.db import Database
from tandem.store.files import MediaFiles


async def delete(
    db: Database, account: Account, status_id: int, *, files: MediaFiles | None = None
) -> StatusBundle:
    """Delete one's own status; the bundle shows it as it was (with its source text). With
    `files` its media are deleted too (Mastodon's delete_media); without, they are detached
    and may be attached again (delete and redraft)."""
    leftovers: list[str | None] = []
    async with db.write() as conn:
        status = await store.get(conn, status_id)
        if status is None or status.account_id != account.id:
            raise NotFound("status")
        # Lock order (store/writes.py): statuses in ascending id order (the reblogged original
        # or the parent, whose counter moves, before this one), then its reblogs, then every
        # account whose counter moves. Once this row is held FOR UPDATE, no reblog, reply or
        # pin of it can start, and every unreblog waits.
        quoted = status.quote_of_id if status.quote_state == "accepted" else None
        related = [i for i in (status.reblog_of_id, status.in_reply_to_id, quoted) if i]
        if status.id not in await store.lock_statuses(
            conn, [*related, status.id], deleting=[status.id]
        ):
            raise NotFound("status")  # a concurrent delete got there first
        status = await store.get(conn, status_id)
        assert status is not None
        shown = await bundle(conn, account.id, [status])
        await federation_outbox.deleted(conn, account, status)
        reblogs = await store.reblog_ids_of(conn, status.id)
        await store.lock_statuses(conn, [r for r, _ in reblogs], deleting=[r for r, _ in reblogs])
        await account_store.lock_accounts(conn, account.id, *(a for _, a in reblogs))
        if files is not None:
            await store.lock_attachments(conn, [m.id for m in status.media])
            for media in await media_store.delete_of_status(conn, status.id):
                leftovers += [media.file.path, media.thumbnail.path if media.thumbnail else None]
        await conversations.on_deleted(conn, status)
        if status.reblog_of_id:  # in home feeds, a reblog held back behind it takes its place
            original = await store.get(conn, status.reblog_of_id)
            origin_author = original.account_id if original else None
            await home_feeds.on_reblog_removing(conn, status, origin_author)
        losses: dict[int, int] = {account.id: 1}  # statuses_count lost per account
        for reblogger in await store.delete_reblogs_of(conn, status.id):
            losses[reblogger] = losses.get(reblogger, 0) + 1
        if await store.delete_status(conn, status.id, account.id) is None:
            raise NotFound("status")
        stream_events.status_deleted(status.id, account.id, status.visibility)
        # Its notifications went with it (a cascade): requests that held them are counted
        # again, or go when left empty.
        await request_store.reconsider(conn, [m.account_id for m in status.mentions], account.id)
        for account_id in sorted(losses):  # the order the rows were locked in
            await account_store.adjust_counts(conn, account_id, statuses=-losses[account_id])
        await account_store.set_last_status_at(
            conn, account.id, await store.latest_created_at(conn, account.id)
        )
        if status.reblog_of_id:
            await store.adjust(conn, status.reblog_of_id, reblogs=-1)
        if status.in_reply_to_id:
            await store.adjust(conn, status.in_reply_to_id, replies=-1)
        if status.quote_of_id and status.quote_state == "accepted":
            await store.adjust(conn, status.quote_of_id, quotes=-1)
    if files is not None:
        files.delete(*leftovers)
    return shown
