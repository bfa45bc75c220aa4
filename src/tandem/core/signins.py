"""Signing in with a password (and second factor), and the record of every attempt."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tandem.core import clock, sessions, twofactor
from tandem.core.errors import AuthenticationFailed, DomainError
from tandem.core.models import Account, Page, SignIn, User
from tandem.store import signins as store
from tandem.store.db import Database

# Never keep credentials in the history, whatever a client sent.
_SECRET_HEADERS = {"authorization", "cookie", "proxy-authorization", "x-csrf-token"}


class SecondFactorNeeded(DomainError):
    """The password was right; a TOTP or backup code must follow."""

    def __init__(self) -> None:
        super().__init__("A two-factor code is required.")


@dataclass(frozen=True)
class Attempt:
    ip: str
    headers: Mapping[str, str]


async def record(db: Database, account_id: int, attempt: Attempt, success: bool) -> None:
    headers = {k: v for k, v in attempt.headers.items() if k.lower() not in _SECRET_HEADERS}
    async with db.write() as conn:
        await store.insert(
            conn,
            account_id=account_id,
            ip=attempt.ip,
            headers=headers,
            success=success,
            now=clock.now(),
        )


async def sign_in(
    db: Database, login: str | None, password: str | None, code: str | None, attempt: Attempt
) -> tuple[Account, User]:
    """Check the password and, when two-factor is on, the code; every outcome is recorded.

    With password-less sign-in turned on, a valid code alone is enough.
    """
    if not password and code:
        found = await sessions.find_user(db, login)
        if found is not None and found[1].password_less_login and not found[0].suspended:
            account, user = found
            ok = await twofactor.verify(db, user, code)
            await record(db, account.id, attempt, success=ok)
            if not ok:
                raise AuthenticationFailed("Incorrect two-factor code.", code="INCORRECT_TOKEN")
            return account, user
    try:
        account, user = await sessions.check_password(db, login, password)
    except AuthenticationFailed:
        known = await sessions.find_user(db, login)
        if known is not None:
            await record(db, known[0].id, attempt, success=False)
        raise
    if user.two_factor_enabled:
        if not code:
            raise SecondFactorNeeded()
        if not await twofactor.verify(db, user, code):
            await record(db, account.id, attempt, success=False)
            raise AuthenticationFailed("Incorrect two-factor code.", code="INCORRECT_TOKEN")
    await record(db, account.id, attempt, success=True)
    return account, user


async def history(db: Database, account: Account, page: Page) -> list[SignIn]:
    async with db.read() as conn:
        return await store.page_for(conn, account.id, page)
