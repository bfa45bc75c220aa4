"""Queries on reports: users' reports of accounts to the moderators, filed here or received
from other servers as Flag activities (core/reports.py holds the rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, select

from tandem.store.db import AnyRow, Conn
from tandem.store.schema import accounts, follows, reports
from tandem.store.writes import insert_new


@dataclass(frozen=True)
class Report:
    """One row of `reports`."""

    id: int
    account_id: int  # who reported (a remote server's actor for a received Flag)
    target_account_id: int
    category: str  # spam, legal, violation or other
    comment: str
    status_ids: list[int]
    rule_ids: list[int]
    forwarded: bool
    uri: str | None  # a received Flag's id
    assigned_account_id: int | None
    action_taken_at: datetime | None
    action_taken_by_account_id: int | None
    created_at: datetime
    updated_at: datetime


def _report(row: AnyRow) -> Report:
    m = row._mapping
    values = {k: m[k] for k in Report.__dataclass_fields__}
    values["status_ids"] = [int(i) for i in values["status_ids"] or []]
    values["rule_ids"] = [int(i) for i in values["rule_ids"] or []]
    return Report(**values)


async def insert(conn: Conn, report: Report) -> bool:
    """Store a report; False when the same Flag already made it (its uri and target)."""
    values = {k: getattr(report, k) for k in Report.__dataclass_fields__}
    return await insert_new(conn, reports, values)


async def get(conn: Conn, report_id: int) -> Report | None:
    row = (await conn.execute(select(reports).where(reports.c.id == report_id))).first()
    return _report(row) if row is not None else None


async def about(conn: Conn, target_account_id: int) -> list[Report]:
    """The reports of an account, oldest first."""
    found = await conn.execute(
        select(reports)
        .where(reports.c.target_account_id == target_account_id)
        .order_by(reports.c.id)
    )
    return [_report(r) for r in found]


async def has_follower_on(conn: Conn, account_id: int, domain_key: str) -> bool:
    """Does an account of that server (domain as accounts keep it) follow this account?"""
    query = select(
        exists().where(
            and_(
                follows.c.target_account_id == account_id,
                accounts.c.id == follows.c.account_id,
                accounts.c.domain_key == domain_key,
            )
        )
    )
    return bool((await conn.execute(query)).scalar())
