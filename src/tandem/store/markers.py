"""Queries on read markers: one row per (account, timeline), its version moved on every save."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from tandem.core.ids import new_id
from tandem.core.models import Marker
from tandem.store.db import AnyRow, Conn
from tandem.store.schema import markers
from tandem.store.writes import insert_new


def _from_row(row: AnyRow) -> Marker:
    m = row._mapping
    return Marker(
        timeline=m["timeline"],
        last_read_id=m["last_read_id"],
        version=m["version"],
        updated_at=m["updated_at"],
    )


async def get(conn: Conn, account_id: int, timeline: str) -> Marker | None:
    found = await get_many(conn, account_id, [timeline])
    return found.get(timeline)


async def get_many(conn: Conn, account_id: int, timelines: list[str]) -> dict[str, Marker]:
    rows = await conn.execute(
        select(markers).where(markers.c.account_id == account_id, markers.c.timeline.in_(timelines))
    )
    return {m.timeline: m for m in map(_from_row, rows)}


async def save(
    conn: Conn, account_id: int, timeline: str, last_read_id: int, now: datetime
) -> None:
    """Create the marker (version 0) or move it (version + 1); twins both count."""
    created = await insert_new(
        conn,
        markers,
        {
            "id": new_id(),
            "account_id": account_id,
            "timeline": timeline,
            "last_read_id": last_read_id,
            "version": 0,
            "updated_at": now,
        },
        on=["account_id", "timeline"],
    )
    if not created:
        await conn.execute(
            update(markers)
            .where(markers.c.account_id == account_id, markers.c.timeline == timeline)
            .values(last_read_id=last_read_id, version=markers.c.version + 1, updated_at=now)
        )
