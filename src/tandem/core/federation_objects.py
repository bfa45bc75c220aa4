"""What federation reads to render this server's actors, notes and activities, and whom a
delivery goes to."""

from __future__ import annotations

from dataclasses import dataclass

from tandem.config import Settings
from tandem.core import federation_outbox, urls
from tandem.core.models import Account, Poll, Status
from tandem.store import accounts as account_store
from tandem.store import federation as store
from tandem.store import follows
from tandem.store import polls as poll_store
from tandem.store import statuses as status_store
from tandem.store import users as user_store
from tandem.store.db import Database


async def local_account(db: Database, account_id: int) -> Account | None:
    """A local account others may see (confirmed, approved), suspended ones included."""
    async with db.read() as conn:
        found = await account_store.get_functional(conn, account_id)
    return found if found is not None and found.local else None


async def account(db: Database, account_id: int) -> Account | None:
    async with db.read() as conn:
        return await account_store.get(conn, account_id)


async def status_recipients(db: Database, status: Status) -> list[str]:
    """The inboxes a status goes to: its author's remote followers (unless direct), the
    remote accounts it mentions, and the author of what it replies to."""
    async with db.read() as conn:
        return await federation_outbox.recipient_inboxes(conn, status)


async def follower_inboxes(db: Database, account_id: int) -> list[str]:
    async with db.read() as conn:
        return await store.follower_inboxes(conn, account_id)


async def personal_inbox(db: Database, account_id: int) -> str | None:
    async with db.read() as conn:
        return await store.personal_inbox(conn, account_id)


async def inboxes_of(db: Database, account_ids: list[int]) -> list[str]:
    """The inboxes of these remote accounts (shared ones where they have them), once each."""
    async with db.read() as conn:
        return await store.inboxes_of(conn, account_ids)


async def known_inboxes(db: Database) -> list[str]:
    """Every inbox of every server this one knows (shared ones where they have them)."""
    async with db.read() as conn:
        return await store.known_inboxes(conn)


async def remember_follow_uri(db: Database, follower_id: int, target_id: int, uri: str) -> None:
    async with db.write() as conn:
        await follows.set_follow_uri(conn, follower_id, target_id, uri)


@dataclass(frozen=True)
class NoteParts:
    """What a Note of a local status names: its author, mentions and parent."""

    status: Status
    author: Account
    mentioned: list[Account]
    parent_uri: str | None
    poll: Poll | None = None


async def note_parts(db: Database, settings: Settings, status_id: int) -> NoteParts | None:
    async with db.read() as conn:
        status = await status_store.get(conn, status_id)
        if status is None:
            return None
        ids = [status.account_id, *(m.account_id for m in status.mentions)]
        parent = (
            await status_store.get(conn, status.in_reply_to_id) if status.in_reply_to_id else None
        )
        if parent is not None:
            ids.append(parent.account_id)
        found = await account_store.get_many(conn, ids)
        poll = await poll_store.get(conn, status.poll_id) if status.poll_id else None
    author = found.get(status.account_id)
    if author is None:
        return None
    parent_author = found.get(parent.account_id) if parent else None
    return NoteParts(
        status=status,
        author=author,
        mentioned=[found[m.account_id] for m in status.mentions if m.account_id in found],
        parent_uri=urls.note_uri(settings, parent_author, parent)
        if parent is not None and parent_author is not None
        else None,
        poll=poll,
    )


@dataclass(frozen=True)
class ActorExtras:
    """What an actor document shows beyond the account row."""

    moved_to_uri: str | None = None
    followed_message: str | None = None  # Misskey's message to new followers


async def actor_extras(db: Database, settings: Settings, account: Account) -> ActorExtras:
    async with db.read() as conn:
        moved = (
            await account_store.get(conn, account.moved_to_account_id)
            if account.moved_to_account_id
            else None
        )
        user = await user_store.by_account(conn, account.id)
    message = user.client_prefs.get("followedMessage") if user is not None else None
    return ActorExtras(
        moved_to_uri=urls.actor_uri(settings, moved) if moved is not None else None,
        followed_message=message if isinstance(message, str) and message else None,
    )
