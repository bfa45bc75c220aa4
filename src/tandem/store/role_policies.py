"""Queries on role policies: the values the operator set, one row per (role, policy)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from tandem.store.db import Conn
from tandem.store.generations import TOKEN, changed, key
from tandem.store.schema import role_policies
from tandem.store.writes import dialect_insert

# The generation slot every change of a role policy bumps, and every cached copy of the
# table checks: no token has id 0, so this slot belongs to nothing else (as ANY_WRITE, the
# slot of account 0).
CHANGED = key(TOKEN, 0)

PolicyValue = bool | int


async def all_set(conn: Conn) -> dict[str, dict[str, PolicyValue]]:
    """Every value set, by role then policy name (a few rows: the whole table)."""
    found: dict[str, dict[str, PolicyValue]] = {}
    for row in await conn.execute(select(role_policies)):
        found.setdefault(row.role, {})[row.name] = row.value
    return found


async def put(conn: Conn, role: str, name: str, value: PolicyValue, now: datetime) -> None:
    """Set one policy of one role (replacing what was set)."""
    stmt = dialect_insert(conn, role_policies).values(
        role=role, name=name, value=value, updated_at=now
    )
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["role", "name"], set_={"value": value, "updated_at": now}
        )
    )
    changed(CHANGED)


async def remove(conn: Conn, role: str, names: list[str] | None) -> int:
    """Forget what was set (every policy of the role when `names` is None); how many went."""
    stmt = delete(role_policies).where(role_policies.c.role == role)
    if names is not None:
        stmt = stmt.where(role_policies.c.name.in_(names))
    gone = len(list(await conn.execute(stmt.returning(role_policies.c.name))))
    if gone:
        changed(CHANGED)
    return gone
