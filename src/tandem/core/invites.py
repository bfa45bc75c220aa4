"""Invite codes: Misskey's invite/create|delete|list|limit under the role policies, the codes
the operator makes (`tandem admin create-invite`), and the check a sign-up makes of a code
(both dialects' sign-up and the /invite/:code page share one table and one rule)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from tandem.core import clock, role_policies
from tandem.core.errors import Forbidden, NotFound, Unprocessable
from tandem.core.i18n import Text
from tandem.core.ids import new_id
from tandem.core.models import Account, Page
from tandem.store import accounts as account_store
from tandem.store import invites as store
from tandem.store.db import AnyRow, Conn, Database

# Misskey's invitation code alphabet: [0-9A-Z] without 0, 1, I and O (32 symbols).
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
MODERATORS = frozenset({"moderator", "admin", "owner"})
_ATTEMPTS = 5  # a new code colliding with a stored one is ~1 in 10^12: retried, not refused

Refusal = Literal["blank", "invalid", "used", "expired"]
# Why a sign-up's code is refused: (error code, message) as a field error of `invite_code`.
REFUSALS: dict[Refusal, Text] = {
    "blank": Text("can't be blank"),
    "invalid": Text("is not an invite code of this server"),
    "used": Text("has already been used"),
    "expired": Text("has expired"),
}


@dataclass(frozen=True)
class Invite:
    id: int
    code: str
    account_id: int | None  # who created it (None: the operator)
    max_uses: int | None  # None: unlimited (Misskey's codes have 1)
    uses: int
    expires_at: datetime | None
    created_at: datetime
    used_by_id: int | None  # the first account that signed up with it
    used_at: datetime | None

    @property
    def used(self) -> bool:
        """Misskey's `used`: somebody signed up with it."""
        return self.used_at is not None or self.uses > 0


def _invite(row: AnyRow) -> Invite:
    return Invite(
        id=row.id,
        code=row.code,
        account_id=row.account_id,
        max_uses=row.max_uses,
        uses=row.uses,
        expires_at=row.expires_at,
        created_at=row.created_at,
        used_by_id=row.used_by_id,
        used_at=row.used_at,
    )


def new_code(now: datetime) -> str:
    """8 random symbols, then the minutes since the epoch in the same alphabet (as Misskey's
    codes: ~13 symbols that sort by creation minute after the random part)."""
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(8))
    minutes = int(now.timestamp() // 60)
    stamp = ""
    while True:
        minutes, digit = divmod(minutes, len(ALPHABET))
        stamp = ALPHABET[digit] + stamp
        if not minutes:
            return random_part + stamp


def refusal(invite: Invite | None, now: datetime) -> Refusal | None:
    """Why a code cannot be used now (None: it can)."""
    if invite is None:
        return "invalid"
    if invite.max_uses is not None and invite.uses >= invite.max_uses:
        return "used"
    if invite.expires_at is not None and invite.expires_at <= now:
        return "expired"
    return None


async def for_sign_up(conn: Conn, code: str | None) -> tuple[Invite | None, Refusal | None]:
    """The invite behind a sign-up's code, and why it cannot be used (if it cannot)."""
    code = (code or "").strip()
    if not code:
        return None, "blank"
    row = await store.by_code(conn, code[:64])
    invite = _invite(row) if row is not None else None
    return invite, refusal(invite, clock.now())


async def use(conn: Conn, invite: Invite, account_id: int) -> bool:
    """Spend one use of the invite on this new account, atomically; False when a racing
    sign-up took its last use meanwhile (or it expired this instant)."""
    return await store.use(conn, invite.id, account_id, clock.now())


async def check(db: Database, code: str) -> tuple[Invite | None, Refusal | None]:
    """`for_sign_up` on its own (the /invite/:code page shows whether the code works)."""
    async with db.read() as conn:
        return await for_sign_up(conn, code)


async def _insert(
    conn: Conn,
    now: datetime,
    *,
    account_id: int | None,
    max_uses: int | None,
    expires_at: datetime | None,
) -> Invite:
    for _ in range(_ATTEMPTS):
        invite = Invite(
            id=new_id(),
            code=new_code(now),
            account_id=account_id,
            max_uses=max_uses,
            uses=0,
            expires_at=expires_at,
            created_at=now,
            used_by_id=None,
            used_at=None,
        )
        stored = await store.insert(
            conn,
            invite_id=invite.id,
            code=invite.code,
            account_id=account_id,
            max_uses=max_uses,
            expires_at=expires_at,
            now=now,
        )
        if stored:
            return invite
    raise RuntimeError("no free invite code after several attempts")  # pragma: no cover


async def create_by_operator(
    db: Database, *, max_uses: int | None, expires_at: datetime | None
) -> str:
    """A code from the admin CLI: no creator, any number of uses, any expiry."""
    async with db.write() as conn:
        invite = await _insert(
            conn, clock.now(), account_id=None, max_uses=max_uses, expires_at=expires_at
        )
    return invite.code


def _cycle_start(now: datetime, policies: role_policies.RolePolicies) -> datetime:
    return now - timedelta(minutes=policies.invite_limit_cycle)


async def create(db: Database, account: Account) -> Invite:
    """A single-use code of this account (Misskey's invite/create): refused with
    EXCEEDED_LIMIT_OF_CREATE_INVITE_CODE once the role's `inviteLimit` codes of the current
    cycle exist; it expires after the role's `inviteExpirationTime` minutes (0: never)."""
    policies = await role_policies.of_role(db, account.role)
    now = clock.now()
    expires_at = (
        now + timedelta(minutes=policies.invite_expiration_time)
        if policies.invite_expiration_time
        else None
    )
    async with db.write() as conn:
        if policies.invite_limit:
            await store.lock_creator(conn, account.id)  # racing creations count in turn
            made = await store.created_since(conn, account.id, _cycle_start(now, policies))
            if made >= policies.invite_limit:
                raise Unprocessable(
                    "You have exceeded the limit for creating an invitation code.",
                    code="EXCEEDED_LIMIT_OF_CREATE_INVITE_CODE",
                )
        return await _insert(conn, now, account_id=account.id, max_uses=1, expires_at=expires_at)


async def remaining(db: Database, account: Account) -> int | None:
    """Codes the account may still create in the current cycle (None: no limit)."""
    policies = await role_policies.of_role(db, account.role)
    if not policies.invite_limit:
        return None
    async with db.read() as conn:
        made = await store.created_since(conn, account.id, _cycle_start(clock.now(), policies))
    return max(0, policies.invite_limit - made)


async def listed(db: Database, account: Account, page: Page) -> list[Invite]:
    """The account's codes, used or not, newest first."""
    async with db.read() as conn:
        return [_invite(r) for r in await store.created_by(conn, account.id, page)]


async def delete(db: Database, account: Account, invite_id: int) -> None:
    """Delete a code: one's own unused codes; moderators any code, used or not."""
    moderator = account.role in MODERATORS
    async with db.write() as conn:
        row = await store.by_id(conn, invite_id)
        if row is None:
            raise NotFound("invite")
        invite = _invite(row)
        if invite.account_id != account.id and not moderator:
            raise Forbidden("Access denied.", code="ACCESS_DENIED")
        if invite.used and not moderator:
            raise Forbidden("You can't delete this invite code.", code="CAN_NOT_DELETE_INVITE_CODE")
        await store.remove(conn, invite_id)


async def people(db: Database, found: list[Invite]) -> dict[int, Account]:
    """The creators and first users of these invites, by id (one read)."""
    ids = {i for invite in found for i in (invite.account_id, invite.used_by_id) if i is not None}
    if not ids:
        return {}
    async with db.read() as conn:
        return await account_store.get_many(conn, ids)
