"""Everything shown on a profile for one viewer, loaded together (Misskey's detailed users)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from tandem.core import account_aliases, caller_cache, chat_reads, clock, role_policies
from tandem.core import accounts as account_core
from tandem.core.announcements import Announcement
from tandem.core.announcements import unread as unread_announcements
from tandem.core.models import Account, Relationship, User
from tandem.core.statuses import StatusBundle, bundle
from tandem.store import accounts as account_store
from tandem.store import relationship_flags
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
    unread_chat: bool = False  # any chat unread marker (own profile only)
    policies: role_policies.RolePolicies = role_policies.DEFAULTS  # own profile: the role's
    unread_announcements: list[Announcement] = field(default_factory=list)  # own only
    # the stored remote accounts the aliases name, by URI (core/account_aliases.alias_ids)
    aliases_known: dict[str, int] = field(default_factory=dict)


async def _pinned(conn: Conn, viewer_id: int | None, ids: list[int]) -> StatusBundle:
    found = await status_store.get_many(conn, ids)
    return await bundle(conn, viewer_id, [found[i] for i in ids if i in found])


async def _pinned_view(db: Database, account_id: int, viewer_id: int | None) -> StatusBundle:
    """The account's pinned posts for the viewer, cached per worker until the next write."""

    async def load() -> StatusBundle:
        # The pins are looked up inside the load, after the cache read its generations.
        pins = await caller_cache.pinned_ids(db, account_id)
        async with db.read() as conn:
            return await _pinned(conn, viewer_id, pins)

    return await caller_cache.pinned_shown(db, account_id, viewer_id, load)


async def of(
    db: Database, viewer: Account | None, account_id: int, viewer_user: User | None = None
) -> UserView:
    """The profile as the viewer sees it; `viewer_user` is the viewer's user row, when
    loaded with the token (one's own profile shows it)."""
    account = await account_core.get(db, account_id)  # cached per worker
    viewer_id = viewer.id if viewer else None
    view = UserView(account=account, pinned=await _pinned_view(db, account.id, viewer_id))
    view.aliases_known = await account_aliases.known_ids(db, [account])
    if viewer is not None and viewer.id != account.id:
        view.relationship = await caller_cache.relationship(db, viewer.id, account.id, clock.now())
    elif viewer is not None:
        await _own(db, view, viewer_user)
    return view


async def of_many(
    db: Database,
    viewer: Account | None,
    accounts: Sequence[Account],
    viewer_user: User | None = None,
) -> list[UserView]:
    """`of` for several accounts at once (lists of detailed users), in a constant number of
    statements: every pinned post in one bundle, the viewer's relationships in one read.
    The viewer's own profile among them is shown as `of` shows it."""
    viewer_id = viewer.id if viewer else None
    others = [a.id for a in accounts if a.id != viewer_id]
    async with db.read() as conn:
        pins = await status_store.pinned_ids_of(conn, [a.id for a in accounts])
        combined = await _pinned(conn, viewer_id, [i for ids in pins.values() for i in ids])
        relations = (
            await relationship_flags.relationships_to(conn, viewer.id, others, clock.now())
            if viewer is not None and others
            else {}
        )
    shown = {s.id: s for s in combined.statuses}
    known = await account_aliases.known_ids(db, accounts)
    views = []
    for a in accounts:
        mine = [shown[i] for i in pins.get(a.id, []) if i in shown]
        view = UserView(account=a, pinned=replace(combined, statuses=mine), aliases_known=known)
        if a.id == viewer_id:
            await _own(db, view, viewer_user)
        else:
            view.relationship = relations.get(a.id) or Relationship(target_id=a.id)
        views.append(view)
    return views


async def me(db: Database, account_id: int, known: tuple[Account, User] | None = None) -> UserView:
    """One's own profile; `known` is the account and user already loaded with the token."""
    if known is None:
        async with db.read() as conn:
            account = await account_store.get(conn, account_id)
        assert account is not None
        user = None
    else:
        account, user = known
    view = UserView(account=account, pinned=await _pinned_view(db, account.id, account.id))
    view.aliases_known = await account_aliases.known_ids(db, [account])
    await _own(db, view, user)
    return view


async def _own(db: Database, view: UserView, user: User | None = None) -> None:
    if user is None:
        async with db.read() as conn:
            user = await user_store.by_account(conn, view.account.id)
    view.user = user
    view.unread_notifications, view.pending_requests = await caller_cache.badge_counts(
        db, view.account.id
    )
    # Keyed like the badges: every marker change bumps the account's notifications.
    view.unread_chat = await chat_reads.has_unread(db, view.account.id)
    view.policies = await role_policies.of_role(db, view.account.role)  # cached per worker
    view.unread_announcements = await unread_announcements(db, view.account)
