"""Direct conversations (Mastodon's /api/v1/conversations): each participant of a direct
thread has a conversation per set of other participants, holding its statuses, the last one
and whether it is unread (Mastodon's AccountConversation). A direct status joins its author's
conversation (read) and those of the mentioned accounts it notifies (unread): not of one whose
notification policy held the mention back, until that request is accepted; deleting it
takes it out, and a conversation left empty goes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tandem.core import statuses as status_rules
from tandem.core import stream_events
from tandem.core.errors import NotFound
from tandem.core.models import Account, Page, Status
from tandem.store import accounts as account_store
from tandem.store import conversations as store
from tandem.store import status_threads as thread_store
from tandem.store import statuses as status_store
from tandem.store.db import Conn, Database

Conversation = store.Conversation


@dataclass
class Conversations:
    conversations: list[Conversation]
    statuses: status_rules.StatusBundle  # the last status of each (when it still exists)
    accounts: dict[int, Account] = field(default_factory=dict)  # every participant shown

    def last_status(self, conversation: Conversation) -> Status | None:
        for s in self.statuses.statuses:
            if s.id == conversation.last_status_id:
                return s
        return None


async def on_posted(conn: Conn, status: Status, recipient_ids: Iterable[int]) -> None:
    """A direct status was posted (inside its write): the author's conversation and those of
    the recipients (the mentioned accounts it reaches) take it."""
    if status.visibility != "direct":
        return
    root = await thread_store.root_id(conn, status.id)
    everyone = {status.account_id, *(m.account_id for m in status.mentions)}
    updated: list[tuple[int, int]] = []
    for account_id in sorted({status.account_id, *recipient_ids}):
        others = sorted(everyone - {account_id})
        unread = account_id != status.account_id
        found = await store.add_status(conn, account_id, root, others, status.id, unread)
        if found is not None:
            updated.append((account_id, found))
    stream_events.conversation_updated(updated)


async def on_unfiltered(conn: Conn, account_id: int, status_ids: Iterable[int]) -> None:
    """Direct statuses whose mentions the account's notification policy held back are shown
    at last (an accepted notification request): they join its conversations, unread, as
    Mastodon's UnfilterNotificationsWorker does (a held-back one joined none)."""
    found = await status_store.get_many(conn, status_ids)
    for status_id in sorted(found):
        status = found[status_id]
        if status.visibility != "direct":
            continue
        root = await thread_store.root_id(conn, status.id)
        others = {status.account_id, *(m.account_id for m in status.mentions)} - {account_id}
        await store.add_status(conn, account_id, root, sorted(others), status.id, True)


async def on_deleted(conn: Conn, status: Status) -> None:
    """A direct status is being deleted (inside its write, before the row goes)."""
    if status.visibility != "direct" or status.reblog_of_id:
        return
    root = await thread_store.root_id(conn, status.id)
    everyone = {status.account_id, *(m.account_id for m in status.mentions)}
    await store.remove_status(conn, everyone, {root, status.id}, status.id)


async def page_of(db: Database, account: Account, page: Page) -> Conversations:
    async with db.read() as conn:
        found = await store.page_of(conn, account.id, page)
        return await _shown(conn, account, found)


async def _shown(conn: Conn, account: Account, found: list[Conversation]) -> Conversations:
    last = await status_store.get_many(conn, {c.last_status_id for c in found})
    ordered = [last[c.last_status_id] for c in found if c.last_status_id in last]
    shown = await status_rules.bundle(conn, account.id, ordered)
    wanted = {i for c in found for i in c.participant_ids} | {account.id}
    missing = wanted - set(shown.accounts)
    people = dict(shown.accounts)
    if missing:
        people.update(await account_store.get_many(conn, missing))
    people[account.id] = people.get(account.id, account)
    return Conversations(found, shown, people)


async def mark_read(db: Database, account: Account, conversation_id: int) -> Conversations:
    async with db.write() as conn:
        if not await store.mark_read(conn, account.id, conversation_id):
            raise NotFound("conversation")
        found = await store.get(conn, account.id, conversation_id)
        if found is None:
            raise NotFound("conversation")
        return await _shown(conn, account, [found])


async def remove(db: Database, account: Account, conversation_id: int) -> None:
    async with db.write() as conn:
        if not await store.remove(conn, account.id, conversation_id):
            raise NotFound("conversation")
