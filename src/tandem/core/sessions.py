"""Signing in with a password, the states that keep a user out, and web login sessions."""

from __future__ import annotations

import asyncio
import functools
from datetime import timedelta
from typing import Literal

from tandem.core import clock
from tandem.core.errors import AuthenticationFailed
from tandem.core.ids import new_id
from tandem.core.models import Account, User
from tandem.core.passwords import hash_password, needs_rehash, verify_password
from tandem.core.tokens import digest, new_secret
from tandem.store import accounts as account_store
from tandem.store import oauth as oauth_store
from tandem.store import users as user_store
from tandem.store.db import Database

SESSION_LIFETIME = timedelta(days=30)
Blocked = Literal["disabled", "unconfirmed", "pending"]


@functools.cache
def _dummy_hash() -> str:
    """A real hash to check when the login is unknown, so timing does not reveal that."""
    return hash_password("tandem-timing-guard")


def login_block(user: User, account: Account) -> Blocked | None:
    """Why a user may not act right now, if they may not."""
    if user.disabled or account.suspended:
        return "disabled"
    if not user.confirmed:
        return "unconfirmed"
    if not user.approved:
        return "pending"
    return None


async def find_user(db: Database, login: str | None) -> tuple[Account, User] | None:
    """A local user by e-mail address or username (with or without @)."""
    login = (login or "").strip()
    if not login:
        return None
    async with db.read() as conn:
        user = await user_store.by_email(conn, login) if "@" in login.lstrip("@") else None
        if user is None:
            account = await account_store.by_username(conn, login.removeprefix("@"))
            user = await user_store.by_account(conn, account.id) if account else None
        account = await account_store.get(conn, user.account_id) if user else None
    if account is None or user is None:
        return None
    return account, user


async def check_password(
    db: Database, login: str | None, password: str | None
) -> tuple[Account, User]:
    """Find the user by e-mail or username and check the password."""
    found = await find_user(db, login)
    stored = found[1].password_hash if found else _dummy_hash()
    ok = await asyncio.to_thread(verify_password, stored, password or "")
    if not ok or found is None:
        raise AuthenticationFailed(
            "Invalid e-mail address or password.", code="INVALID_CREDENTIALS"
        )
    account, user = found
    if needs_rehash(user.password_hash):
        new_hash = await asyncio.to_thread(hash_password, password or "")
        async with db.write() as conn:
            await user_store.update_user(conn, user.id, clock.now(), password_hash=new_hash)
    return account, user


async def user_of(db: Database, account_id: int) -> tuple[Account, User] | None:
    async with db.read() as conn:
        account = await account_store.get(conn, account_id)
        user = await user_store.by_account(conn, account_id)
    return (account, user) if account is not None and user is not None else None


async def start(db: Database, account_id: int, ip: str | None, user_agent: str | None) -> str:
    secret = new_secret(32)
    now = clock.now()
    async with db.write() as conn:
        await oauth_store.insert_session(
            conn,
            id=new_id(),
            session_digest=digest(secret),
            account_id=account_id,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
            ip=ip,
            user_agent=user_agent,
        )
    return secret


async def account_for(db: Database, secret: str | None) -> tuple[Account, User] | None:
    if not secret:
        return None
    async with db.read() as conn:
        account_id = await oauth_store.session_account(conn, digest(secret), clock.now())
        if account_id is None:
            return None
        account = await account_store.get(conn, account_id)
        user = await user_store.by_account(conn, account_id)
    if account is None or user is None:
        return None
    return account, user


async def end(db: Database, secret: str | None) -> None:
    if secret:
        async with db.write() as conn:
            await oauth_store.delete_session(conn, digest(secret))
