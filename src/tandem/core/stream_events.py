"""What each change tells the streams: the events the write paths publish (core/events.py),
and what a stream may show its viewer of them.

Publishing: small functions called from inside the write that made the change; the events
leave once it commits (`publish_in_write`), as one list per write (one Redis pipeline).
Topics and kinds are the shared contract (see core/events.py):

- `user:<id>`: `notification` {notification_id} (shown ones only), `mention` / `reply` /
  `renote` {status_id}, `follow` / `unfollow` {account_id: target}, `followed` {account_id:
  follower}, `me_updated` {}, `filters_changed` {}, `conversation` {conversation_id};
- `home:<id>`: `status` {status_id}, for each account whose home feed got the entry;
- `public`, `public:local`, `public:media`, `public:local:media`, `hashtag:<tag>`,
  `hashtag:local:<tag>`, `list:<id>`: `status` {status_id};
- `statuses`: `delete` {status_id, account_id, visibility}, `status.update` {status_id};
- `note:<id>`: `reacted` / `unreacted` {status_id, reaction, account_id}, `deleted`
  {status_id}, `pollVoted` {status_id, choice, account_id}.
- `broadcast` (every stream) and `user:<id>` (one made for that account):
  `announcement.created` / `announcement.updated` / `announcement.delete` {announcement_id},
  `announcement.reaction` {announcement_id, name, count}; `user:<id>`:
  `readAllAnnouncements` {} (core/announcements.py publishes them).

Reading (`shown`): a stream renders an event's status only when its viewer may see it and
neither blocks nor mutes its author (nor the reblogged author), and is not blocked by them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from tandem.core import clock, events
from tandem.core.events import Event, publish_in_write
from tandem.core.models import Account, Status
from tandem.store import blocks, mutes
from tandem.store import lists as list_store
from tandem.store import statuses as status_store
from tandem.store.db import Conn, Database

if TYPE_CHECKING:
    from tandem.core.statuses import StatusBundle

# (core.statuses is imported where it is used: the store's write paths import this module,
# and core.statuses imports them.)


# The Misskey main-stream events a webhook event also is (core/webhooks.py `emit`), and the
# data key of what it names.
_MAIN_EVENTS = {
    "mention": "status_id",
    "reply": "status_id",
    "renote": "status_id",
    "follow": "account_id",
    "followed": "account_id",
    "unfollow": "account_id",
}


def user_topic(account_id: int) -> str:
    return f"user:{account_id}"


def home_topic(account_id: int) -> str:
    return f"home:{account_id}"


def note_topic(status_id: int) -> str:
    return f"note:{status_id}"


def _user(owner: int, kind: str, /, **data: int | str | None) -> Event:
    return Event(user_topic(owner), kind, data)


# Publishing (inside a write transaction).


def notifications_shown(pairs: Iterable[tuple[int, int]]) -> None:
    """Notifications written and shown: (recipient account id, notification id) each."""
    publish_in_write(*(_user(a, "notification", notification_id=n) for a, n in pairs))


def main_event(account_id: int, event: str, refs: dict[str, int]) -> None:
    """A webhook-worthy event that Misskey's main stream also tells (mention, reply, renote,
    follow, followed, unfollow); others are ignored."""
    key = _MAIN_EVENTS.get(event)
    if key is None:
        return
    value = refs.get("note_id" if key == "status_id" else "user_id")
    if value is not None:
        publish_in_write(_user(account_id, event, **{key: value}))


def home_entries(account_ids: Iterable[int], status_id: int) -> None:
    """The status entered these accounts' home feeds."""
    publish_in_write(
        *(Event(home_topic(a), "status", {"status_id": status_id}) for a in account_ids)
    )


async def home_entries_now(db: Database, account_ids: Iterable[int], status_id: int) -> None:
    """`home_entries` outside a write (a job that wrote the feeds elsewhere: Redis)."""
    await events.publish_now(
        db, *(Event(home_topic(a), "status", {"status_id": status_id}) for a in account_ids)
    )


async def status_posted(conn: Conn, status: Status, *, local: bool = True) -> None:
    """A new status (not a reblog): the public, hashtag and list streams hear of it (the
    local or the remote spelling of each, as its author is)."""
    if status.reblog_of_id is not None:
        return
    data = {"status_id": status.id}
    topics: list[str] = []
    where = "local" if local else "remote"
    if status.visibility == "public":
        topics += ["public", f"public:{where}"]
        if status.media:
            topics += ["public:media", f"public:{where}:media"]
        for tag in dict.fromkeys(t.lower() for t in status.tags):
            topics += [f"hashtag:{tag}"] + ([f"hashtag:local:{tag}"] if local else [])
    if status.visibility != "direct":
        topics += [f"list:{i}" for i in await list_store.lists_with_member(conn, status.account_id)]
    publish_in_write(*(Event(t, "status", data) for t in topics))


def status_deleted(status_id: int, account_id: int, visibility: str) -> None:
    """A status went: its visibility says which streams may hear of it (a public stream
    only of a public status's)."""
    data: dict[str, int | str | None] = {
        "status_id": status_id,
        "account_id": account_id,
        "visibility": visibility,
    }
    publish_in_write(
        Event("statuses", "delete", data),
        Event(note_topic(status_id), "deleted", {"status_id": status_id}),
    )


def status_edited(status_id: int) -> None:
    publish_in_write(Event("statuses", "status.update", {"status_id": status_id}))


def reacted(status_id: int, account_id: int, reaction: str, *, undone: bool = False) -> None:
    data: dict[str, int | str | None] = {
        "status_id": status_id,
        "reaction": reaction,
        "account_id": account_id,
    }
    publish_in_write(Event(note_topic(status_id), "unreacted" if undone else "reacted", data))


def poll_voted(status_id: int, account_id: int, choices: Iterable[int]) -> None:
    publish_in_write(
        *(
            Event(
                note_topic(status_id),
                "pollVoted",
                {"status_id": status_id, "choice": c, "account_id": account_id},
            )
            for c in choices
        )
    )


def me_updated(account_id: int) -> None:
    publish_in_write(_user(account_id, "me_updated"))


def filters_changed(account_id: int) -> None:
    publish_in_write(_user(account_id, "filters_changed"))


def conversation_updated(pairs: Iterable[tuple[int, int]]) -> None:
    """Direct conversations that got a status: (account id, conversation id) each."""
    publish_in_write(*(_user(a, "conversation", conversation_id=c) for a, c in pairs))


# Reading: what a stream may show its viewer.


async def _hidden_from(conn: Conn, viewer: Account, author_id: int) -> bool:
    if author_id == viewer.id:
        return False
    return any(await blocks.between(conn, viewer.id, author_id)) or await mutes.mutes_now(
        conn, viewer.id, author_id, clock.now()
    )


async def shown(db: Database, viewer: Account | None, status_id: int) -> StatusBundle | None:
    """The status as the viewer's stream shows it (with what it needs to be rendered), or
    None when the viewer may not see it, or blocks or mutes (or is blocked by) its author or
    the author of what it reblogs."""
    from tandem.core.statuses import bundle, can_see

    async with db.read() as conn:
        status = await status_store.get(conn, status_id)
        if status is None or not await can_see(conn, viewer, status):
            return None
        authors = [status.account_id]
        if status.reblog_of_id is not None:
            original = await status_store.get(conn, status.reblog_of_id)
            if original is None or not await can_see(conn, viewer, original):
                return None
            authors.append(original.account_id)
        if viewer is not None:
            for author in authors:
                if await _hidden_from(conn, viewer, author):
                    return None
        return await bundle(conn, viewer.id if viewer else None, [status])
