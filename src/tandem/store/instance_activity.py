"""Weekly counts of local statuses, sign-ins and sign-ups (Mastodon's instance activity):
one statement per kind, each week a conditional count."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Label, and_, case, func, select

from tandem.store.db import Conn
from tandem.store.schema import accounts, signins, statuses


def _weekly(column: Column[datetime], weeks: list[datetime]) -> list[Label[int]]:
    bounds = [*weeks[1:], None]
    return [
        func.count(
            case((and_(column >= start, column < end) if end else column >= start, 1))
        ).label(f"w{i}")
        for i, (start, end) in enumerate(zip(weeks, bounds, strict=True))
    ]


async def weekly(conn: Conn, weeks: list[datetime]) -> dict[str, list[int]]:
    """Counts per week starting at each of `weeks` (ascending; the last runs to now)."""
    since = weeks[0]
    posted = await conn.execute(
        select(*_weekly(statuses.c.created_at, weeks))
        .select_from(statuses)
        .join(accounts, accounts.c.id == statuses.c.account_id)
        .where(accounts.c.domain.is_(None), statuses.c.created_at >= since)
    )
    signed_in = await conn.execute(
        select(*_weekly(signins.c.created_at, weeks)).where(
            signins.c.success.is_(True), signins.c.created_at >= since
        )
    )
    joined = await conn.execute(
        select(*_weekly(accounts.c.created_at, weeks)).where(
            accounts.c.domain.is_(None), accounts.c.created_at >= since
        )
    )
    return {
        "statuses": [int(x) for x in posted.one()],
        "logins": [int(x) for x in signed_in.one()],
        "registrations": [int(x) for x in joined.one()],
    }
