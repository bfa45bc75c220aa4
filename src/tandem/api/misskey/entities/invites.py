"""InviteCode (Misskey's invite/create and invite/list) and invite/limit's answer."""

from __future__ import annotations

from typing import TypedDict

from tandem.api.misskey.entities.common import Ctx, iso
from tandem.api.misskey.entities.types import UserLite
from tandem.api.misskey.entities.user_lite import user_lite
from tandem.core.invites import Invite
from tandem.core.models import Account


class InviteCode(TypedDict):
    id: str
    code: str
    expiresAt: str | None
    createdAt: str
    createdBy: UserLite | None
    usedBy: UserLite | None
    usedAt: str | None
    used: bool


class InviteLimit(TypedDict):
    remaining: int | None  # None: no limit


def invite_code(ctx: Ctx, invite: Invite, people: dict[int, Account]) -> InviteCode:
    """`people`: the accounts behind createdBy/usedBy (one gone since shows as null)."""
    creator = people.get(invite.account_id) if invite.account_id is not None else None
    user = people.get(invite.used_by_id) if invite.used_by_id is not None else None
    return {
        "id": str(invite.id),
        "code": invite.code,
        "expiresAt": iso(invite.expires_at),
        "createdAt": iso(invite.created_at),
        "createdBy": user_lite(ctx, creator) if creator is not None else None,
        "usedBy": user_lite(ctx, user) if user is not None else None,
        "usedAt": iso(invite.used_at),
        "used": invite.used,
    }
