"""Deleting one's own account (Misskey's i/delete-account): after the password (and second
factor) check, the account is suspended here at once (hidden everywhere, its name kept so
nobody takes it), every follow with it ends, its tokens stop working, and every server this
one knows hears Delete of the actor.

Its posts and files stay stored, hidden with the account; purging them is moderation's work
(issue 13's 30-day purge) and not done yet.
"""

from __future__ import annotations

from tandem.core import clock, federation_outbox, relationships, twofactor
from tandem.core.models import Account, User
from tandem.store import accounts as account_store
from tandem.store import oauth as oauth_store
from tandem.store.db import Database


async def delete_own(
    db: Database, account: Account, user: User, password: str | None, code: str | None
) -> None:
    await twofactor.check_password(user, password)
    await twofactor.require(db, user, code)
    now = clock.now()
    async with db.write() as conn:
        await relationships.sever_all(conn, account.id)
        current = await account_store.get(conn, account.id)
        assert current is not None
        if current.suspended_at is None:
            await account_store.set_suspended(conn, current, now, now)
        await oauth_store.revoke_account_tokens(conn, account.id, now)
        await federation_outbox.account_deleted(conn, current)
