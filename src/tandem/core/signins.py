"""Signing in with a password (and second factor), and the record of every attempt."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tandem.core import clock, sessions, twofactor
from tandem.core.errors import AuthenticationFailed, DomainError, RateLimited
from tandem.core.i18n import Text
from tandem.core.models import Account, Page, SignIn, User
from tandem.core.ratelimits import Hit, RateLimiter, ip_key
from tandem.store import signins as store
from tandem.store.db import Database

# Never keep credentials in the history, whatever a client sent.
_SECRET_HEADERS = {"authorization", "cookie", "proxy-authorization", "x-csrf-token"}


class SecondFactorNeeded(DomainError):
    """The password was right; a TOTP or backup code must follow."""

    def __init__(self) -> None:
        super().__init__(Text("A two-factor code is required."))


@dataclass(frozen=True)
class Attempt:
    ip: str
    headers: Mapping[str, str]


@dataclass
class Reservation:
    """One failed sign-in counted in advance, per IP and per account; refunded on success.

    Counting before checking (not after) means parallel guesses cannot all slip through
    while the first ones are still being checked.
    """

    limiter: RateLimiter | None
    hits: list[Hit] = field(default_factory=list)

    async def refund(self) -> None:
        if self.limiter is not None:
            for hit in self.hits:
                await self.limiter.refund(hit)
        self.hits = []


async def reserve_failure(
    limiter: RateLimiter | None, ip: str, account_id: int | None
) -> Reservation:
    """Count a failure up front; RateLimited when this IP's or this account's budget is spent.

    The IP budget (`login_attempts`) stops one attacker; the account budget
    (`login_attempts_account`) stops a spread-out one. A right password from another IP
    still works while an attacker's IP is locked out.
    """
    reservation = Reservation(limiter)
    if limiter is None:
        return reservation
    checks: list[tuple[str, str | int]] = [("login_attempts", ip_key(ip))]
    if account_id is not None:
        checks.append(("login_attempts_account", account_id))
    for name, key in checks:
        hit = await limiter.hit(name, key)
        if hit is None:
            continue
        if hit.exceeded:
            await limiter.refund(hit)
            await reservation.refund()
            raise RateLimited(hit.limit, hit.reset_at)
        reservation.hits.append(hit)
    return reservation


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
    db: Database,
    login: str | None,
    password: str | None,
    code: str | None,
    attempt: Attempt,
    limiter: RateLimiter | None = None,
) -> tuple[Account, User]:
    """Check the password and, when two-factor is on, the code; every outcome is recorded.

    With password-less sign-in turned on, a valid code alone is enough. With a limiter,
    failures are counted per IP and per account, and a spent budget raises RateLimited
    before any check (even a right password is refused then).
    """
    known = await sessions.find_user(db, login)
    reservation = await reserve_failure(limiter, attempt.ip, known[0].id if known else None)
    try:
        found = await _check(db, login, password, code, attempt)
    except AuthenticationFailed:
        raise  # a failure: it stays counted
    except Exception:
        await reservation.refund()  # SecondFactorNeeded, or a fault that is not the user's
        raise
    await reservation.refund()
    return found


async def _check(
    db: Database, login: str | None, password: str | None, code: str | None, attempt: Attempt
) -> tuple[Account, User]:
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
