"""Operator actions (the `tandem admin` command): create users, approve, confirm, roles."""

from __future__ import annotations

import asyncio

from tandem.config import Settings
from tandem.core import clock
from tandem.core.errors import Errors, NotFound
from tandem.core.i18n import Text, one_of
from tandem.core.models import Account, RoleName, User
from tandem.core.passwords import hash_password
from tandem.core.registration import check_email, check_password, check_username, create_local_user
from tandem.store import accounts as account_store
from tandem.store import users as user_store
from tandem.store.db import Database

ROLES: tuple[RoleName, ...] = ("user", "moderator", "admin", "owner")


async def create_user(
    db: Database,
    settings: Settings,
    *,
    username: str,
    email: str,
    password: str,
    role: RoleName = "user",
) -> Account:
    """A ready-to-use account: confirmed and approved, whatever the registration mode."""
    errors = Errors()
    check_username(errors, username, settings)
    check_email(errors, email.strip().lower(), settings)
    check_password(errors, password)
    if role not in ROLES:
        errors.add("role", "inclusion", one_of(ROLES))
    errors.raise_if_any()
    password_hash = await asyncio.to_thread(hash_password, password)
    async with db.write() as conn:
        if await account_store.username_taken(conn, username):
            errors.add("username", "taken", "has already been taken")
        if await user_store.email_taken(conn, email):
            errors.add("email", "taken", "has already been taken")
        errors.raise_if_any()
        account, _user, _ = await create_local_user(
            conn,
            settings,
            username=username,
            email=email.strip().lower(),
            password_hash=password_hash,
            role=role,
        )
    return account


async def _find_user(db: Database, username: str) -> tuple[Account, User]:
    async with db.read() as conn:
        account = await account_store.by_username(conn, username.removeprefix("@"))
        user = await user_store.by_account(conn, account.id) if account else None
    if account is None or user is None:
        raise NotFound("user", Text("Local user @{username}", username=username))
    return account, user


async def approve(db: Database, username: str) -> None:
    _account, user = await _find_user(db, username)
    async with db.write() as conn:
        await user_store.update_user(conn, user.id, clock.now(), approved=True)


async def confirm(db: Database, username: str) -> None:
    _account, user = await _find_user(db, username)
    async with db.write() as conn:
        await user_store.update_user(
            conn, user.id, clock.now(), confirmed_at=clock.now(), confirmation_token=None
        )


async def set_disabled(db: Database, username: str, disabled: bool) -> None:
    _account, user = await _find_user(db, username)
    async with db.write() as conn:
        await user_store.update_user(conn, user.id, clock.now(), disabled=disabled)


async def set_role(db: Database, username: str, role: RoleName) -> None:
    if role not in ROLES:
        raise NotFound("role", Text("Role {role}", role=role))
    account, _user = await _find_user(db, username)
    async with db.write() as conn:
        await account_store.set_role(conn, account.id, role)


async def suspend(db: Database, username: str, suspended: bool) -> None:
    account, _user = await _find_user(db, username)
    now = clock.now()
    async with db.write() as conn:
        await account_store.set_suspended(conn, account, now if suspended else None, now)
