"""Endorsing (featuring) accounts one follows, and private notes about accounts."""

from __future__ import annotations

from tandem.core import clock
from tandem.core.accounts import require
from tandem.core.errors import Unprocessable, ValidationFailed
from tandem.core.ids import new_id
from tandem.core.models import Account, Relationship
from tandem.core.relationships import relationship_of
from tandem.store import accounts as account_store
from tandem.store import relationships as pairs
from tandem.store.db import Database
from tandem.store.schema import account_notes, account_pins

NOTE_LIMIT = 2000


async def endorse(db: Database, actor: Account, target_id: int) -> Relationship:
    async with db.write() as conn:
        target = await require(conn, target_id)
        await account_store.lock_accounts(conn, actor.id, target.id)  # vs. a racing unfollow
        if not await pairs.is_following(conn, actor.id, target.id):
            raise Unprocessable(
                "You must be already following the person you want to endorse",
                code="NOT_FOLLOWING",
            )
        await pairs.insert(
            conn,
            account_pins,
            id=new_id(),
            account_id=actor.id,
            target_account_id=target.id,
            created_at=clock.now(),
        )
        return await relationship_of(conn, actor.id, target.id)


async def unendorse(db: Database, actor: Account, target_id: int) -> Relationship:
    async with db.write() as conn:
        target = await require(conn, target_id)
        await pairs.remove(conn, account_pins, actor.id, target.id)
        return await relationship_of(conn, actor.id, target.id)


async def set_note(
    db: Database, actor: Account, target_id: int, comment: str | None
) -> Relationship:
    """A private note on another account; a blank comment deletes it."""
    text = (comment or "").strip()
    if len(text) > NOTE_LIMIT:
        raise ValidationFailed.one(
            "comment", "too_long", f"is too long (maximum is {NOTE_LIMIT} characters)"
        )
    async with db.write() as conn:
        target = await require(conn, target_id)
        await account_store.lock_accounts(conn, actor.id, target.id)
        existing = await pairs.find(conn, account_notes, actor.id, target.id)
        if not text:
            if existing is not None:
                await pairs.delete_by_id(conn, account_notes, existing.id)
        elif existing is None:
            await pairs.insert(
                conn,
                account_notes,
                id=new_id(),
                account_id=actor.id,
                target_account_id=target.id,
                comment=text,
                created_at=clock.now(),
            )
        else:
            await pairs.update_pair(conn, account_notes, existing.id, comment=text)
        return await relationship_of(conn, actor.id, target.id)
