"""Pinning one's own statuses to the profile (Mastodon pins, Misskey pinned notes)."""

from __future__ import annotations

from tandem.config import Settings
from tandem.core import clock, federation_outbox
from tandem.core.errors import AlreadyDone, NotFound, Unprocessable
from tandem.core.models import Account
from tandem.core.statuses import StatusBundle, bundle, visible
from tandem.store import accounts as account_store
from tandem.store import statuses as store
from tandem.store.db import Database


async def pin(
    db: Database, settings: Settings, account: Account, status_id: int, *, again_ok: bool = True
) -> StatusBundle:
    """Pin one's own post; pinning it again is fine unless `again_ok` is False (Misskey)."""
    async with db.write() as conn:
        status = await visible(conn, account, status_id)
        if status.reblog_of_id:
            raise Unprocessable("A boost cannot be pinned", code="PIN_REBLOG")
        if status.account_id != account.id:
            raise Unprocessable("Someone else's post cannot be pinned", code="PIN_OWNERSHIP")
        if status.visibility == "direct":
            raise Unprocessable(
                "Posts that are only visible to mentioned users cannot be pinned",
                code="PIN_DIRECT",
            )
        # Lock order (store/writes.py): the status first (a concurrent delete finishes before
        # us, or waits for us), then the account: pins of one account are decided one at a
        # time, so the limit holds under races too.
        if not await store.lock_statuses(conn, [status.id]):
            raise NotFound("status")  # deleted meanwhile
        await account_store.lock_accounts(conn, account.id)
        if await store.pinned_among(conn, account.id, [status.id]):
            if not again_ok:
                raise AlreadyDone("ALREADY_PINNED", "That note is already pinned.")
        else:
            if await store.count_pins(conn, account.id) >= settings.max_pinned_statuses:
                raise Unprocessable(
                    "You have already pinned the maximum number of posts", code="PIN_LIMIT"
                )
            await store.pin(conn, account.id, status.id, clock.now())
            await federation_outbox.pinned(conn, account, status, on=True)
        return await bundle(conn, account.id, [status])


async def unpin(db: Database, account: Account, status_id: int) -> StatusBundle:
    async with db.write() as conn:
        status = await visible(conn, account, status_id)
        if await store.pinned_among(conn, account.id, [status.id]):
            await federation_outbox.pinned(conn, account, status, on=False)
        await store.unpin(conn, account.id, status.id)  # deleting twice is harmless
        return await bundle(conn, account.id, [status])
