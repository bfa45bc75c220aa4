"""Changing one's password and e-mail address, and managing one's access tokens."""

from __future__ import annotations

import asyncio

from tandem.config import Settings
from tandem.core import app_auth, clock, mail, twofactor
from tandem.core.errors import Errors, Unprocessable, ValidationFailed
from tandem.core.models import AccessToken, Account, User
from tandem.core.passwords import hash_password
from tandem.core.registration import check_email, check_password
from tandem.core.tokens import digest, new_secret
from tandem.store import jobs as job_store
from tandem.store import oauth as oauth_store
from tandem.store import users as user_store
from tandem.store.db import Database


async def change_password(
    db: Database, user: User, current: str | None, new: str | None, code: str | None
) -> None:
    await twofactor.check_password(user, current)
    await twofactor.require(db, user, code)
    errors = Errors()
    check_password(errors, new or "", attribute="newPassword")
    errors.raise_if_any()
    new_hash = await asyncio.to_thread(hash_password, new or "")
    async with db.write() as conn:
        await user_store.update_user(conn, user.id, clock.now(), password_hash=new_hash)


async def change_email(
    db: Database,
    settings: Settings,
    account: Account,
    user: User,
    password: str | None,
    email: str | None,
    code: str | None,
) -> None:
    """A new address must be confirmed from the mail sent to it; None removes the address."""
    await twofactor.check_password(user, password)
    await twofactor.require(db, user, code)
    now = clock.now()
    if email is None:
        async with db.write() as conn:
            await user_store.update_user(
                conn, user.id, now, email=None, unconfirmed_email=None, confirmation_token=None
            )
        return
    address = email.strip().lower()
    errors = Errors()
    check_email(errors, address, settings)
    if errors.items:
        raise Unprocessable("Unavailable email address.", code="UNAVAILABLE")
    secret = new_secret(24)
    async with db.write() as conn:
        if address != (user.email or "") and await user_store.email_taken(conn, address):
            raise Unprocessable("Unavailable email address.", code="UNAVAILABLE")
        await user_store.update_user(
            conn, user.id, now, unconfirmed_email=address, confirmation_token=digest(secret)
        )
        message = mail.confirmation(
            settings,
            to=address,
            username=account.username,
            token=secret,
            locale=user.locale or account.lang,
        )
        await job_store.enqueue(conn, "send_email", message.to_payload())


async def regenerate_native_token(db: Database, user: User, password: str | None) -> int:
    """Every sign-in token stops working at once; returns how many were revoked."""
    await twofactor.check_password(user, password)
    async with db.write() as conn:
        return await oauth_store.revoke_kind(conn, user.account_id, "native", clock.now())


async def revoke_token(
    db: Database, account: Account, *, token_id: int | None = None, token: str | None = None
) -> None:
    """Revoke one of one's own tokens, named by id or by its value."""
    if token_id is None and not token:
        raise ValidationFailed.one("tokenId", "blank", "send tokenId or token")
    async with db.write() as conn:
        if token_id is not None:
            found = await oauth_store.token_by_id(conn, token_id)
        elif app_auth.is_userkey(token or ""):  # auth/session/userkey's raw accessToken
            found = await app_auth.userkey_token(conn, token or "")
        else:
            found = await oauth_store.token_by_digest(conn, digest(token or ""))
        if found is not None and found.account_id == account.id:
            await oauth_store.revoke_token(conn, found.id, clock.now())


async def app_tokens(db: Database, account: Account) -> list[tuple[AccessToken, str]]:
    """Live tokens held by apps (not sign-in sessions), newest first, with the app's name."""
    async with db.read() as conn:
        tokens = [t for t in await oauth_store.tokens_of(conn, account.id) if not t.native]
        names: dict[int, str] = {}
        for app_id in {t.application_id for t in tokens if t.application_id}:
            app = await oauth_store.app_by_id(conn, app_id)
            if app is not None:
                names[app_id] = app.name
    return [(t, t.name or names.get(t.application_id or 0, "")) for t in tokens]
