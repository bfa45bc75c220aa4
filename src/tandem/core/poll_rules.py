"""The rules of a new poll (checked with the post that carries it) and storing it with the
job that ends it; kept apart from core/polls.py so posting does not import voting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tandem.core import clock
from tandem.core.errors import Errors
from tandem.core.i18n import Text
from tandem.core.ids import new_id
from tandem.core.models import Poll
from tandem.store import jobs as job_store
from tandem.store import polls as store
from tandem.store.db import Conn

MAX_OPTIONS = 10  # Misskey's; Mastodon's edge keeps to the 4 it advertises
MASTODON_MAX_OPTIONS = 4
MAX_OPTION_CHARS = 50
MIN_EXPIRATION = 300  # seconds, Mastodon's bounds (Misskey's only rule: not in the past)
MAX_EXPIRATION = 2_629_746


@dataclass(frozen=True)
class NewPoll:
    options: Sequence[str]
    expires_at: datetime | None = None  # None: never ends (Misskey)
    multiple: bool = False
    hide_totals: bool = False


def expires_in(seconds: int, now: datetime | None = None) -> datetime:
    return (now or clock.now()) + timedelta(seconds=seconds)


def check(new: NewPoll, now: datetime, errors: Errors) -> None:
    """Add what is wrong with a new poll to `errors` (the post's validation)."""
    options = [o.strip() for o in new.options]
    if len(options) < 2:
        errors.add("poll", "too_few_options", "must have at least 2 options")
    if len(options) > MAX_OPTIONS:
        errors.add(
            "poll",
            "too_many_options",
            Text("can't have more than {count} options", count=MAX_OPTIONS),
        )
    if any(not o for o in options):
        errors.add("poll", "blank_option", "options can't be blank")
    if any(len(o) > MAX_OPTION_CHARS for o in options):
        errors.add(
            "poll",
            "option_too_long",
            Text("options can't be longer than {count} characters", count=MAX_OPTION_CHARS),
        )
    if len(set(options)) != len(options):
        errors.add("poll", "duplicate_options", "options can't repeat")
    if new.expires_at is not None and new.expires_at <= now:
        errors.add("poll", "expired", "can't end in the past")


async def attach(conn: Conn, status_id: int, account_id: int, poll_id: int, new: NewPoll) -> None:
    """Store the poll of a status being created, and the job that ends it."""
    now = clock.now()
    poll = Poll(
        id=poll_id,
        status_id=status_id,
        account_id=account_id,
        options=[o.strip() for o in new.options],
        multiple=new.multiple,
        hide_totals=new.hide_totals,
        expires_at=new.expires_at,
        ended_at=None,
        created_at=now,
    )
    await store.insert(conn, poll)
    if new.expires_at is not None:
        await job_store.enqueue(
            conn,
            "end_poll",
            {"poll_id": poll_id},
            run_at=new.expires_at,
            dedupe_key=f"poll_end:{poll_id}",
        )


def new_poll_id() -> int:
    return new_id()
