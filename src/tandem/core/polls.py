"""Polls: shown, voted on once per option (a unique key decides a race), and ended by a job
at their expiry that tells voters and the author (creation rules: core/poll_rules.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tandem.core import clock, federation_outbox, stream_events
from tandem.core.errors import AlreadyDone, NotFound, Unprocessable
from tandem.core.models import Account, Poll
from tandem.core.poll_rules import NewPoll, attach, new_poll_id
from tandem.core.statuses import visible
from tandem.store import blocks
from tandem.store import jobs as job_store
from tandem.store import notifications as notification_store
from tandem.store import polls as store
from tandem.store import statuses as status_store
from tandem.store.db import Conn, Database


def expired(poll: Poll, now: datetime | None = None) -> bool:
    return poll.expires_at is not None and poll.expires_at <= (now or clock.now())


async def show(db: Database, viewer: Account | None, poll_id: int) -> Poll:
    async with db.read() as conn:
        poll = await store.get(conn, poll_id, viewer.id if viewer else None)
        if poll is None:
            raise NotFound("poll")
        await visible(conn, viewer, poll.status_id, "poll")
        return poll


async def vote(
    db: Database,
    account: Account,
    choices: Sequence[int],
    *,
    poll_id: int | None = None,
    status_id: int | None = None,
) -> Poll:
    """Vote by poll id (Mastodon) or by status id (Misskey: one choice per call). Both servers
    refuse a second vote on a single-choice poll, and on a multiple-choice poll only a choice
    already voted for: more calls add choices."""
    now = clock.now()
    async with db.write() as conn:
        if status_id is not None:
            status = await status_store.get(conn, status_id)
            if (
                status is not None
                and status.account_id != account.id
                and await blocks.exists(conn, status.account_id, account.id)
            ):
                raise Unprocessable(
                    "You cannot vote this poll because you have been blocked by this user.",
                    code="YOU_HAVE_BEEN_BLOCKED",
                )
            status = await visible(conn, account, status_id)
            if status.poll_id is None:
                raise Unprocessable("The note does not attach a poll.", code="NO_POLL")
            poll_id = status.poll_id
        assert poll_id is not None
        found = await store.get(conn, poll_id)
        if found is None:
            raise NotFound("poll")
        poll_status = await visible(conn, account, found.status_id, "poll")
        await store.lock_poll(conn, found.id)
        if expired(found, now):
            raise Unprocessable("The poll has already ended", code="ALREADY_EXPIRED")
        wanted = list(dict.fromkeys(choices))
        if not wanted or any(not 0 <= c < len(found.options) for c in wanted):
            raise Unprocessable("Choice ID is invalid.", code="INVALID_CHOICE")
        if len(wanted) > 1 and not found.multiple:
            raise Unprocessable("This poll allows only one choice.", code="INVALID_CHOICE")
        already = await store.choices_of(conn, found.id, account.id)
        repeated = bool(set(wanted) & set(already)) if found.multiple else bool(already)
        if repeated or not await store.add_votes(conn, found.id, account.id, wanted, now):
            raise AlreadyDone("ALREADY_VOTED", "You have already voted on this poll")
        stream_events.poll_voted(found.status_id, account.id, wanted)
        await federation_outbox.voted(conn, account, poll_status, wanted)
        updated = await store.get(conn, found.id, account.id)
        assert updated is not None
        return updated


async def end(db: Database, poll_id: int) -> bool:
    """Announce a poll's end to its voters and author, once (the expiry job's work)."""
    now = clock.now()
    async with db.write() as conn:
        current = await store.get(conn, poll_id)
        if current is None or not expired(current, now):
            return False
        poll = await store.end(conn, poll_id, now)
        if poll is None:
            return False  # announced already
        for account_id in sorted({*await store.voter_ids(conn, poll.id), poll.account_id}):
            await notification_store.insert(
                conn,
                account_id=account_id,
                type="poll",
                from_account_id=poll.account_id,
                status_id=poll.status_id,
                now=now,
            )
        return True


@dataclass(frozen=True)
class Revised:
    poll_id: int | None  # the status's poll after the edit
    options: list[str] | None  # its options (for the edit's history)
    changed: bool  # a change worth a new version (Mastodon's `poll_changed`)
    previous: list[str] | None = None  # the options before the edit


async def revise(
    conn: Conn, status_id: int, account_id: int, current_id: int | None, new: NewPoll | None
) -> Revised:
    """Give an edited status the poll it was sent with, as Mastodon's UpdateStatusService: a
    poll whose options or `multiple` changed loses its votes, one whose options stayed keeps
    them; the expiry restarts from now; an edit without a poll removes it."""
    current = await store.get(conn, current_id) if current_id is not None else None
    if new is None:
        if current is None:
            return Revised(None, None, False)
        await store.delete(conn, current.id)
        return Revised(None, None, True, current.options)
    options = [o.strip() for o in new.options]
    if current is None:
        poll_id = new_poll_id()
        await attach(conn, status_id, account_id, poll_id, new)
        return Revised(poll_id, options, True)
    reset = options != current.options or new.multiple != current.multiple
    await store.revise(
        conn,
        current.id,
        options=options,
        multiple=new.multiple,
        hide_totals=new.hide_totals,
        expires_at=new.expires_at,
        reset_votes=reset,
    )
    if new.expires_at is not None:
        await job_store.enqueue(
            conn,
            "end_poll",
            {"poll_id": current.id},
            run_at=new.expires_at,
            dedupe_key=f"poll_end:{current.id}",
        )
    changed = (
        reset or new.hide_totals != current.hide_totals or new.expires_at != current.expires_at
    )
    return Revised(current.id, options, changed, current.options)
