"""Facts about this server for instance and nodeinfo documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tandem.core import clock
from tandem.core.models import Account
from tandem.store import statuses as status_store
from tandem.store import users as user_store
from tandem.store.db import Database


@dataclass(frozen=True)
class Stats:
    users: int
    statuses: int
    active_month: int
    active_halfyear: int
    contact: Account | None


async def stats(db: Database) -> Stats:
    now = clock.now()
    async with db.read() as conn:
        return Stats(
            users=await user_store.count(conn),
            statuses=await status_store.count_local(conn),
            active_month=await user_store.active_since(conn, now - timedelta(days=30)),
            active_halfyear=await user_store.active_since(conn, now - timedelta(days=180)),
            contact=await user_store.first_admin_account(conn),
        )
