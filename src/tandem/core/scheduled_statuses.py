"""Scheduled statuses: a post checked now, kept with its parameters, and published by a job
at its time (the scheduled row is taken in the publishing transaction, so it posts once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tandem.config import Settings
from tandem.core import clock, media, statuses
from tandem.core.errors import DomainError, NotFound, ValidationFailed
from tandem.core.i18n import Text
from tandem.core.ids import new_id
from tandem.core.models import Account, MediaAttachment, Page, User
from tandem.core.poll_rules import NewPoll
from tandem.store import accounts as account_store
from tandem.store import jobs as job_store
from tandem.store import media as media_store
from tandem.store import scheduled_statuses as store
from tandem.store import users as user_store
from tandem.store.db import Database
from tandem.store.scheduled_statuses import Scheduled

MAX_SCHEDULED = 300  # per account, as Mastodon
# A client asks for "now + 5 min + 1 s" (Mastodon.py's own test does) before its request
# travels: a few seconds of grace keep a slow network or a busy server from refusing it.
ARRIVAL_GRACE = timedelta(seconds=5)


@dataclass
class ScheduledView:
    item: Scheduled
    media: list[MediaAttachment]


def _params(new: statuses.NewStatus, application_id: int | None, now: datetime) -> dict[str, Any]:
    poll = None
    if new.poll is not None:
        ends = new.poll.expires_at
        poll = {
            "options": list(new.poll.options),
            "expires_in": int((ends - now).total_seconds()) if ends else None,
            "multiple": new.poll.multiple,
            "hide_totals": new.poll.hide_totals,
        }
    return {
        "text": new.text,
        "spoiler_text": new.spoiler_text,
        "visibility": new.visibility,
        "sensitive": new.sensitive,
        "language": new.language,
        "in_reply_to_id": new.in_reply_to_id,
        "quoted_status_id": new.quoted_status_id,
        "quote_approval_policy": new.quote_policy,
        "media_ids": [str(i) for i in new.media_ids] or None,
        "poll": poll,
        "application_id": application_id,
    }


def _job(conn_item: Scheduled) -> tuple[str, dict[str, Any], str]:
    return (
        "publish_scheduled_status",
        {"scheduled_status_id": conn_item.id},
        f"scheduled_status:{conn_item.id}",
    )


def _check_time(settings: Settings, at: datetime, now: datetime) -> None:
    ahead = settings.schedule_min_ahead_seconds
    if at < now + timedelta(seconds=ahead) - ARRIVAL_GRACE:
        raise ValidationFailed.one(
            "scheduled_at",
            "too_soon",
            Text("must be at least {count} seconds in the future", count=f"{ahead:g}"),
        )


async def schedule(
    db: Database,
    settings: Settings,
    account: Account,
    user: User,
    new: statuses.NewStatus,
    at: datetime,
    application_id: int | None = None,
) -> ScheduledView:
    now = clock.now()
    _check_time(settings, at, now)
    visibility, language = statuses.validate(new, settings, account, user)
    params = _params(new, application_id, now)
    params["visibility"], params["language"] = visibility, language
    item = Scheduled(new_id(), account.id, at, params, now)
    async with db.write() as conn:
        await account_store.lock_accounts(conn, account.id)  # the limit holds under races
        if await store.count(conn, account.id) >= MAX_SCHEDULED:
            raise ValidationFailed.one(
                "scheduled_at",
                "limit",
                Text("you cannot schedule more than {count} posts", count=MAX_SCHEDULED),
            )
        found = await media_store.get_many(conn, new.media_ids)
        if any(m.account_id != account.id for m in found.values()) or len(found) != len(
            set(new.media_ids)
        ):
            raise NotFound("file")
        media.check_attachable(found.values())  # as Mastodon: not while still processed
        await store.insert(conn, item)
        kind, payload, key = _job(item)
        await job_store.enqueue(conn, kind, payload, run_at=at, dedupe_key=key)
        return ScheduledView(item, [found[i] for i in new.media_ids if i in found])


async def _view(db: Database, account: Account, scheduled_id: int) -> ScheduledView:
    async with db.read() as conn:
        item = await store.get(conn, scheduled_id)
        if item is None or item.account_id != account.id:
            raise NotFound("row")
        ids = [int(i) for i in item.params.get("media_ids") or []]
        found = await media_store.get_many(conn, ids)
        return ScheduledView(item, [found[i] for i in ids if i in found])


async def show(db: Database, account: Account, scheduled_id: int) -> ScheduledView:
    return await _view(db, account, scheduled_id)


async def page(db: Database, account: Account, window: Page) -> list[ScheduledView]:
    async with db.read() as conn:
        items = await store.page_of(conn, account.id, window)
        ids = {int(i) for item in items for i in item.params.get("media_ids") or []}
        found = await media_store.get_many(conn, ids)
        return [
            ScheduledView(
                item,
                [found[int(i)] for i in item.params.get("media_ids") or [] if int(i) in found],
            )
            for item in items
        ]


async def reschedule(
    db: Database, settings: Settings, account: Account, scheduled_id: int, at: datetime
) -> ScheduledView:
    _check_time(settings, at, clock.now())
    async with db.write() as conn:
        if not await store.reschedule(conn, scheduled_id, account.id, at):
            raise NotFound("row")
        item = await store.get(conn, scheduled_id)
        assert item is not None
        kind, payload, key = _job(item)
        await job_store.enqueue(conn, kind, payload, run_at=at, dedupe_key=key)
    return await _view(db, account, scheduled_id)


async def cancel(db: Database, account: Account, scheduled_id: int) -> None:
    async with db.write() as conn:
        item = await store.take(conn, scheduled_id, account.id)
        if item is None:
            raise NotFound("row")
        await job_store.cancel(conn, _job(item)[2])


async def publish(db: Database, settings: Settings, scheduled_id: int) -> bool:
    """Post a scheduled status (the job's work); False when it is gone or cannot be posted
    any more (then it is dropped, as Mastodon drops it)."""
    async with db.read() as conn:
        item = await store.get(conn, scheduled_id)
        if item is None:
            return False
        account = await account_store.get(conn, item.account_id)
        user = await user_store.by_account(conn, item.account_id)
    if account is None or user is None:
        return False
    p = item.params
    now = clock.now()
    poll = None
    if p.get("poll"):
        seconds = p["poll"].get("expires_in")
        poll = NewPoll(
            options=p["poll"]["options"],
            expires_at=now + timedelta(seconds=seconds) if seconds else None,
            multiple=bool(p["poll"].get("multiple")),
            hide_totals=bool(p["poll"].get("hide_totals")),
        )
    new = statuses.NewStatus(
        text=p.get("text") or "",
        spoiler_text=p.get("spoiler_text") or "",
        visibility=p.get("visibility"),
        sensitive=p.get("sensitive"),
        language=p.get("language"),
        in_reply_to_id=p.get("in_reply_to_id"),
        media_ids=[int(i) for i in p.get("media_ids") or []],
        poll=poll,
        scheduled_id=item.id,
        quoted_status_id=p.get("quoted_status_id"),
        quote_policy=p.get("quote_approval_policy"),
    )
    try:
        await statuses.create(db, settings, account, user, new, p.get("application_id"))
    except DomainError:
        async with db.write() as conn:
            await store.take(conn, item.id)
        return False
    return True
