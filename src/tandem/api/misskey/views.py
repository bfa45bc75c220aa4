"""Helpers between calls and entities: the render context, users for a viewer, paging."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from tandem.api.misskey.endpoint import Call
from tandem.api.misskey.entities.common import Ctx
from tandem.api.misskey.entities.types import MeDetailed, UserDetailed
from tandem.api.misskey.entities.users import me_detailed, user_detailed
from tandem.core import user_views
from tandem.core.ids import id_at_ms
from tandem.core.models import Account, Page, User

T = TypeVar("T")


def ctx(call: Call) -> Ctx:
    return Ctx(call.settings, call.viewer.id if call.viewer else None)


async def me(
    call: Call,
    *,
    account_id: int | None = None,
    known: tuple[Account, User] | None = None,
    reload: bool = False,
) -> MeDetailed:
    """MeDetailed of the caller (as loaded with the token, `known` after a change, or read
    again with `reload`), or of an account that just signed up. E-mail only for sign-ins."""
    if account_id is not None:
        view = await user_views.me(call.db, account_id)
        return me_detailed(ctx(call), view, secrets=True)
    if known is None and not reload:
        known = (call.account, call.user)
    view = await user_views.me(call.db, call.account.id, known)
    secrets = call.principal is not None and call.principal.token.native
    return me_detailed(ctx(call), view, secrets=secrets)


async def user(call: Call, account_id: int) -> UserDetailed:
    principal = call.principal
    view = await user_views.of(
        call.db, call.viewer, account_id, principal.user if principal is not None else None
    )
    if view.user is not None:
        return me_detailed(ctx(call), view, secrets=False)
    return user_detailed(ctx(call), view)


async def users(call: Call, accounts: Sequence[Account]) -> list[UserDetailed]:
    """`user` for several accounts, loaded together (a constant number of statements)."""
    principal = call.principal
    views = await user_views.of_many(
        call.db, call.viewer, accounts, principal.user if principal is not None else None
    )
    c = ctx(call)
    return [
        me_detailed(c, v, secrets=False) if v.user is not None else user_detailed(c, v)
        for v in views
    ]


def page(call: Call) -> tuple[Page, bool]:
    """Misskey cursors as a Page; True when results go oldest first (sinceId alone)."""
    p = call.params
    since, until = p.get("sinceId"), p.get("untilId")
    if since is None and p.get("sinceDate") is not None:
        since = id_at_ms(int(p["sinceDate"]))
    if until is None and p.get("untilDate") is not None:
        until = id_at_ms(int(p["untilDate"]))
    limit = int(p.get("limit", 10))
    if since is not None and until is None:
        return Page(limit=limit, min_id=since), True
    return Page(limit=limit, max_id=until, since_id=since), False


def in_order(items: list[T], ascending: bool) -> list[T]:
    """Stores return newest first (min_id windows too); sinceId alone wants oldest first."""
    return list(reversed(items)) if ascending else items
