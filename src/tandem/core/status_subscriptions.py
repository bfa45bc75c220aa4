"""`status` notifications: followers who follow an account with `notify` on hear of its new
statuses. Called inside the transaction that creates the status (kept apart from
core/notifications.py, which reads statuses and so cannot be imported by core/statuses.py)."""

from __future__ import annotations

from datetime import datetime

from tandem.core.models import Status
from tandem.store import notifications as store
from tandem.store.db import Conn


async def notify(conn: Conn, status: Status, now: datetime) -> int:
    """As Mastodon: not for reblogs, direct statuses, or replies to someone else (a reply to
    oneself continues a thread and counts). How many notifications were written."""
    if status.reblog_of_id is not None or status.visibility == "direct":
        return 0
    if status.in_reply_to_id is not None and status.in_reply_to_account_id != status.account_id:
        return 0
    return await store.insert_for_subscribers(conn, status.account_id, status.id, now)
