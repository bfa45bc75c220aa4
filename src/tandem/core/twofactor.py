"""Two-factor sign-in with TOTP codes, and single-use backup codes."""

from __future__ import annotations

import asyncio
import hmac
from dataclasses import dataclass

import pyotp
import segno

from tandem.config import Settings
from tandem.core import clock
from tandem.core.errors import AuthenticationFailed, Unprocessable
from tandem.core.models import Account, User
from tandem.core.passwords import verify_password
from tandem.core.tokens import digest
from tandem.store import users as user_store
from tandem.store.db import Database

BACKUP_CODES = 5


@dataclass(frozen=True)
class Enrollment:
    secret: str
    url: str
    qr: str  # a PNG data: URL of the otpauth URL
    label: str
    issuer: str


async def check_password(user: User, password: str | None) -> None:
    if not password or not await asyncio.to_thread(verify_password, user.password_hash, password):
        raise AuthenticationFailed("Incorrect password.", code="INCORRECT_PASSWORD")


def _totp_matches(secret: str, code: str) -> bool:
    return pyotp.TOTP(secret).verify(code, valid_window=1)


async def verify(db: Database, user: User, code: str | None) -> bool:
    """A current TOTP code, or an unused backup code (which is then spent)."""
    code = "".join((code or "").split())
    if not code or not user.two_factor_enabled or not user.two_factor_secret:
        return False
    if code.isdigit() and _totp_matches(user.two_factor_secret, code):
        return True
    wanted = digest(code.upper())
    async with db.write() as conn:
        # Racing sign-ins with one backup code: one at a time, so only the first spends it.
        await user_store.lock_user(conn, user.id)
        fresh = await user_store.by_account(conn, user.account_id)
        codes = list(fresh.two_factor_backup_codes) if fresh else []
        for stored in codes:
            if hmac.compare_digest(stored, wanted):
                codes.remove(stored)
                await user_store.update_user(
                    conn, user.id, clock.now(), two_factor_backup_codes=codes
                )
                return True
    return False


async def require(db: Database, user: User, code: str | None) -> None:
    """For actions that need the second factor when it is on (password change…)."""
    if user.two_factor_enabled and not await verify(db, user, code):
        raise AuthenticationFailed("Incorrect two-factor code.", code="INCORRECT_TOKEN")


async def begin(
    db: Database,
    settings: Settings,
    account: Account,
    user: User,
    password: str | None,
    code: str | None,
) -> Enrollment:
    """Start enrolling: a new secret waits for the first correct code (see `finish`)."""
    await check_password(user, password)
    await require(db, user, code)
    secret = pyotp.random_base32()
    issuer = settings.domain
    url = pyotp.TOTP(secret).provisioning_uri(name=account.username, issuer_name=issuer)
    async with db.write() as conn:
        await user_store.update_user(conn, user.id, clock.now(), two_factor_pending_secret=secret)
    return Enrollment(
        secret=secret,
        url=url,
        qr=segno.make(url, error="m").png_data_uri(scale=4),
        label=account.username,
        issuer=issuer,
    )


async def finish(db: Database, user: User, code: str | None) -> list[str]:
    """Turn two-factor on with a code from the new secret; returns the backup codes once."""
    pending = user.two_factor_pending_secret
    if pending is None:
        raise Unprocessable(
            "Two-factor registration has not been started: call i/2fa/register first.",
            code="TWO_FACTOR_NOT_STARTED",
        )
    if not _totp_matches(pending, "".join((code or "").split())):
        raise AuthenticationFailed("Incorrect two-factor code.", code="INCORRECT_TOKEN")
    codes = [pyotp.random_base32() for _ in range(BACKUP_CODES)]
    async with db.write() as conn:
        await user_store.update_user(
            conn,
            user.id,
            clock.now(),
            two_factor_secret=pending,
            two_factor_pending_secret=None,
            two_factor_enabled=True,
            two_factor_backup_codes=[digest(c) for c in codes],
        )
    return codes


async def disable(db: Database, user: User, password: str | None, code: str | None) -> None:
    await check_password(user, password)
    await require(db, user, code)
    async with db.write() as conn:
        await user_store.update_user(
            conn,
            user.id,
            clock.now(),
            two_factor_secret=None,
            two_factor_pending_secret=None,
            two_factor_enabled=False,
            two_factor_backup_codes=[],
            password_less_login=False,
        )


async def set_password_less(db: Database, user: User, value: bool) -> None:
    """Passwordless sign-in needs a second factor to stand in for the password."""
    if value and not user.two_factor_enabled:
        raise Unprocessable(
            "Turn on two-factor authentication before passwordless sign-in.",
            code="TWO_FACTOR_REQUIRED",
        )
    async with db.write() as conn:
        await user_store.update_user(conn, user.id, clock.now(), password_less_login=value)


def backup_stock(user: User) -> str:
    """Misskey's twoFactorBackupCodesStock: full, partial or none."""
    left = len(user.two_factor_backup_codes) if user.two_factor_enabled else 0
    return "full" if left >= BACKUP_CODES else "partial" if left else "none"
