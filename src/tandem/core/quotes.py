"""Quotes (Mastodon 4.5 quote posts, Misskey quote renotes): a status's quotes as its author
sees them, revoking one, changing who may quote a status, and telling quoters of an edit.
Posting a quote is core/statuses.create (`NewStatus.quoted_status_id`); the rules are in
core/quote_rules.py."""

from __future__ import annotations

from datetime import datetime

from tandem.core import clock, quote_rules
from tandem.core.errors import NotFound, ValidationFailed
from tandem.core.i18n import Text
from tandem.core.models import Account, Page, Status
from tandem.core.status_threads import visible_among
from tandem.core.statuses import StatusBundle, bundle, ignores, visible
from tandem.store import notifications as notification_store
from tandem.store import quotes as store
from tandem.store import statuses as status_store
from tandem.store.db import Conn, Database


async def _own(conn: Conn, account: Account, status_id: int) -> Status:
    """A status of the account's own (404 for anyone else's, as Mastodon answers)."""
    status = await visible(conn, account, status_id)
    if status.account_id != account.id:
        raise NotFound("status")
    return status


async def of_status(db: Database, account: Account, status_id: int, page: Page) -> StatusBundle:
    """The accepted quotes of one's own status, newest first (those one can see)."""
    async with db.read() as conn:
        status = await _own(conn, account, status_id)
        ids = await store.quotes_page(conn, status.id, page)
        loaded = await status_store.get_many(conn, ids)
        shown = await visible_among(conn, account, [loaded[i] for i in ids if i in loaded])
        return await bundle(conn, account.id, shown)


async def revoke(db: Database, account: Account, status_id: int, quote_id: int) -> StatusBundle:
    """The quoted author takes back a quote of their status: it shows as `revoked`."""
    async with db.write() as conn:
        status = await _own(conn, account, status_id)
        quote = await status_store.get(conn, quote_id)
        if quote is None or quote.quote_of_id != status.id:
            raise NotFound("status")
        # Lock order (store/writes.py): the quoted status (its quotes_count moves).
        if not await status_store.lock_statuses(conn, [status.id]):
            raise NotFound("status")
        if await store.revoke(conn, quote.id, status.id):
            await status_store.adjust(conn, status.id, quotes=-1)
        revoked = await status_store.get(conn, quote.id)
        if revoked is None:
            raise NotFound("status")
        return await bundle(conn, account.id, [revoked])


async def set_policy(db: Database, account: Account, status_id: int, policy: str) -> StatusBundle:
    """Who may quote one's status from now on (quotes already made stay)."""
    if policy not in quote_rules.POLICIES:
        raise ValidationFailed.one(
            "quote_approval_policy",
            "inclusion",
            Text("must be one of {choices}", choices=", ".join(quote_rules.POLICIES)),
        )
    async with db.write() as conn:
        status = await _own(conn, account, status_id)
        if status.reblog_of_id:
            raise NotFound("status")
        chosen = quote_rules.initial_policy(status.visibility, policy, policy)
        await store.set_policy(conn, status.id, chosen)
        changed = await status_store.get(conn, status.id)
        if changed is None:
            raise NotFound("status")
        return await bundle(conn, account.id, [changed])


async def on_edited(conn: Conn, status: Status, now: datetime | None = None) -> None:
    """`quoted_update` notifications for the authors of a status's accepted quotes (the
    notification carries their quote), as Mastodon tells quoters of an edit."""
    at = now or clock.now()
    for quote_id, quoter in await store.quoters(conn, status.id):
        if quoter == status.account_id or await ignores(conn, quoter, status.account_id):
            continue
        await notification_store.insert(
            conn,
            account_id=quoter,
            type="quoted_update",
            from_account_id=status.account_id,
            status_id=quote_id,
            now=at,
        )
