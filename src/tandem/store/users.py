"""Queries on local users (the login side of a local account)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update

from tandem.core.models import Account, User, UserSettings
from tandem.store.accounts import from_row as account_from_row
from tandem.store.db import AnyRow, Conn
from tandem.store.generations import accounts_changed
from tandem.store.query import Query
from tandem.store.schema import accounts, oauth_access_tokens, users
from tandem.store.writes import insert_new, lock


def from_row(row: AnyRow) -> User:
    return from_mapping(row._mapping)


def from_mapping(m: Mapping[Any, Any]) -> User:
    return User(
        id=m["id"],
        account_id=m["account_id"],
        email=m["email"],
        password_hash=m["password_hash"],
        created_at=m["created_at"],
        confirmed_at=m["confirmed_at"],
        approved=m["approved"],
        disabled=m["disabled"],
        locale=m["locale"],
        settings=UserSettings(**m["settings"]),
        created_by_application_id=m["created_by_application_id"],
        date_of_birth=m["date_of_birth"],
        reason=m["reason"],
        invite_id=m["invite_id"],
        unconfirmed_email=m["unconfirmed_email"],
        two_factor_enabled=m["two_factor_enabled"],
        two_factor_secret=m["two_factor_secret"],
        two_factor_pending_secret=m["two_factor_pending_secret"],
        two_factor_backup_codes=tuple(m["two_factor_backup_codes"]),
        password_less_login=m["password_less_login"],
        client_prefs=dict(m["client_prefs"]),
    )


async def insert(
    conn: Conn, user: User, *, confirmation_token: str | None, sign_up_ip: str | None
) -> bool:
    """Create the user; False (nothing written) when the e-mail address is already in use."""
    return await insert_new(
        conn,
        users,
        dict(
            id=user.id,
            account_id=user.account_id,
            email=user.email,
            password_hash=user.password_hash,
            confirmed_at=user.confirmed_at,
            confirmation_token=confirmation_token,
            approved=user.approved,
            disabled=user.disabled,
            locale=user.locale,
            settings=asdict(user.settings),
            created_by_application_id=user.created_by_application_id,
            date_of_birth=user.date_of_birth,
            reason=user.reason,
            invite_id=user.invite_id,
            sign_up_ip=sign_up_ip,
            created_at=user.created_at,
            updated_at=user.created_at,
        ),
        on=("email",),
    )


_COLUMNS = tuple(users.c.keys())
_BY_ACCOUNT = Query(select(users).where(users.c.account_id == bindparam("account_id")))


async def by_account(conn: Conn, account_id: int) -> User | None:
    row = await _BY_ACCOUNT.first(conn, account_id=account_id)
    return from_mapping(dict(zip(_COLUMNS, row, strict=True))) if row else None


async def by_email(conn: Conn, email: str) -> User | None:
    row = (await conn.execute(select(users).where(users.c.email == email.lower()))).first()
    return from_row(row) if row else None


async def email_taken(conn: Conn, email: str) -> bool:
    return await conn.scalar(select(users.c.id).where(users.c.email == email.lower())) is not None


async def lock_user(conn: Conn, user_id: int) -> None:
    """Hold the user row until commit (PostgreSQL): read-then-write changes of it (spending a
    backup code) then go one at a time."""
    await lock(conn, users, [user_id])


async def update_user(conn: Conn, user_id: int, now: datetime, **values: Any) -> None:
    if "settings" in values and isinstance(values["settings"], UserSettings):
        values["settings"] = asdict(values["settings"])
    stmt = (
        update(users)
        .where(users.c.id == user_id)
        .values(updated_at=now, **values)
        .returning(users.c.account_id)
    )
    accounts_changed(*(await conn.scalars(stmt)))


async def confirm_by_token(conn: Conn, token_digest: str, now: datetime) -> int | None:
    """Confirm the user holding this confirmation token; returns its account id."""
    row = (
        await conn.execute(
            select(users.c.id, users.c.account_id, users.c.unconfirmed_email).where(
                users.c.confirmation_token == token_digest
            )
        )
    ).first()
    if row is None:
        return None
    values: dict[str, Any] = {"confirmed_at": now, "confirmation_token": None}
    if row.unconfirmed_email:
        values.update(email=row.unconfirmed_email, unconfirmed_email=None)
    await update_user(conn, row.id, now, **values)
    return int(row.account_id)


async def count(conn: Conn) -> int:
    return int(await conn.scalar(select(func.count()).select_from(users)) or 0)


async def active_since(conn: Conn, since: datetime) -> int:
    tokens = oauth_access_tokens
    stmt = select(func.count(func.distinct(tokens.c.account_id))).where(
        tokens.c.last_used_at >= since
    )
    return int(await conn.scalar(stmt) or 0)


async def first_admin_account(conn: Conn) -> Account | None:
    row = (
        await conn.execute(
            select(accounts)
            .join(users, users.c.account_id == accounts.c.id)
            .where(accounts.c.role.in_(("owner", "admin")), accounts.c.suspended_at.is_(None))
            # The first owner, else the first admin (ix_accounts_role finds the few candidates).
            .order_by((accounts.c.role == "owner").desc(), accounts.c.id)
            .limit(1)
        )
    ).first()
    return account_from_row(row) if row else None
