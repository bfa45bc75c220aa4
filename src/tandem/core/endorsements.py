"""Endorsing (featuring) accounts one follows, and private notes about accounts."""

from __future__ import annotations

from tandem.core import clock
from tandem.core.accounts import require
from tandem.core.errors import Unprocessable, ValidationFailed
from tandem.core.i18n import too_long
from tandem.core.models import Account, Relationship
from tandem.core.relationships import relationship_of
from tandem.store import accounts as account_store
from tandem.store import endorsements, follows
from tandem.store.db import Database

NOTE_LIMIT = 2000


async def endorse(db: Database, actor: Account, target_id: int) -> Relationship:
    async with db.write() as conn:
        target = await require(conn, target_id)
        await account_store.lock_accounts(conn, actor.id, target.id)  # vs. a racing unfollow
        if not await follows.exists(conn, actor.id, target.id):
            raise Unprocessable(
                "You must be already following the person you want to endorse",
                code="NOT_FOLLOWING",
            )
        await endorsements.add(conn, actor.id, target.id, clock.now())
        return await relationship_of(conn, actor.id, target.id)


async def unendorse(db: Database, actor: Account, target_id: int) -> Relationship:
    async with db.write() as conn:
        target = await require(conn, target_id)
        await endorsements.remove(conn, actor.id, target.id)
        return await relationship_of(conn, actor.id, target.id)


async def set_note(
    db: Database, actor: Account, target_id: int, comment: str | None
) -> Relationship:
    """A private note on another account; a blank comment deletes it."""
    text = (comment or "").strip()
    if len(text) > NOTE_LIMIT:
        raise ValidationFailed.one("comment", "too_long", too_long(NOTE_LIMIT))
    async with db.write() as conn:
        target = await require(conn, target_id)
        await account_store.lock_accounts(conn, actor.id, target.id)
        await endorsements.set_note(conn, actor.id, target.id, text, clock.now())
        return await relationship_of(conn, actor.id, target.id)
