"""Everything shown on a profile for one viewer, loaded together (Misskey's detailed users)."""

from __future__ import annotations

from dataclasses import dataclass

from tandem.core.accounts import require
from tandem.core.models import Account, Relationship, User
from tandem.core.relationships import compute
from tandem.core.statuses import StatusBundle, bundle
from tandem.store import accounts as account_store
from tandem.store import relationships as pairs
from tandem.store import statuses as status_store
from tandem.store import users as user_store
from tandem.store.db import Conn, Database


@dataclass
class UserView:
    account: Account
    pinned: StatusBundle
    relationship: Relationship | None = None  # the viewer's, when the viewer is someone else
    user: User | None = None  # only for one's own profile
    unread_notifications: int = 0
    pending_requests: int = 0


async def _pinned(conn: Conn, viewer_id: int | None, account_id: int) -> StatusBundle:
    ids = await status_store.pinned_ids(conn, account_id)
    found = await status_store.get_many(conn, ids)
    return await bundle(conn, viewer_id, [found[i] for i in ids if i in found])


async def of(db: Database, viewer: Account | None, account_id: int) -> UserView:
    async with db.read() as conn:
        account = await require(conn, account_id)
        viewer_id = viewer.id if viewer else None
        view = UserView(account=account, pinned=await _pinned(conn, viewer_id, account.id))
        if viewer is not None and viewer.id != account.id:
            view.relationship = (await compute(conn, viewer.id, [account.id]))[0]
        elif viewer is not None:
            await _own(conn, view)
    return view


async def me(db: Database, account_id: int, known: tuple[Account, User] | None = None) -> UserView:
    """One's own profile; `known` is the account and user already loaded with the token."""
    async with db.read() as conn:
        if known is None:
            account = await account_store.get(conn, account_id)
            assert account is not None
            user = None
        else:
            account, user = known
        view = UserView(account=account, pinned=await _pinned(conn, account.id, account.id))
        await _own(conn, view, user)
    return view


async def _own(conn: Conn, view: UserView, user: User | None = None) -> None:
    view.user = user or await user_store.by_account(conn, view.account.id)
    view.unread_notifications, view.pending_requests = await pairs.badge_counts(
        conn, view.account.id
    )
