"""The notification policy (Mastodon 4.3's /api/v2/notifications/policy) and its rules.

Each of the five conditions says what happens to a notification from a sender it matches:
`accept` (nothing), `filter` (stored as filtered: hidden from both dialects' lists and unread
counts, and a filtered mention or quote opens a notification request, core/
notification_requests.py) or `drop` (not stored). As Mastodon: `for_not_following` matches a
sender the recipient does not follow; `for_not_followers` one who does not follow the recipient,
or has for less than 3 days; `for_new_accounts` an account younger than 30 days the recipient
does not follow; `for_private_mentions` a direct mention from someone the recipient does not
follow, unless it answers a direct status of the recipient that mentioned them;
`for_limited_accounts` an account a moderator limited (tandem has no limiting yet, so it never
matches). Only Mastodon's filterable types (mentions, quotes, reblogs, favourites, which
Misskey reactions are, follows and follow requests) are subject to it; polls, edits, statuses
of subscribed accounts and the server's own notifications never are. A sender whose request
was accepted passes, and a mention from staff (moderator, admin, owner) is never held back.
Misskey has no such policy: a notification filtered for the Mastodon dialect is hidden from
Misskey clients too (it is one notification, shown the same in both).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from tandem.core import clock
from tandem.core.errors import Errors
from tandem.core.models import Account, NotificationPolicy
from tandem.store import notification_policies as store
from tandem.store.db import Database

CHOICES = ("accept", "filter", "drop")
# Mastodon's Notification::PROPERTIES with `filterable: true`.
FILTERABLE_TYPES = ("mention", "quote", "reblog", "favourite", "follow", "follow_request")
# The types whose filtered notifications open a notification request (NotifyService's).
REQUEST_TYPES = ("mention", "quote")
NEW_ACCOUNT_AGE = timedelta(days=30)
NEW_FOLLOWER_AGE = timedelta(days=3)

Verdict = Literal["accept", "filter", "drop"]


@dataclass(frozen=True)
class Sender:
    """What the policy asks about a notification's sender (store/notification_requests.py)."""

    following: bool  # the recipient follows the sender
    follows_since: datetime | None  # since when the sender follows the recipient
    created_at: datetime
    staff: bool = False
    permitted: bool = False  # an accepted request: the sender always passes
    private_mention: bool = False  # a direct mention that answers no private mention of theirs
    limited: bool = False  # moderation-limited (tandem has no limiting yet)


def matches(policy: NotificationPolicy, sender: Sender, now: datetime) -> list[str]:
    """The choices of the policy's conditions this sender meets."""
    not_follower = sender.follows_since is None or sender.follows_since > now - NEW_FOLLOWER_AGE
    found = []
    if not sender.following:
        found.append(policy.for_not_following)
        if sender.created_at > now - NEW_ACCOUNT_AGE:
            found.append(policy.for_new_accounts)
        if sender.private_mention:
            found.append(policy.for_private_mentions)
        if sender.limited:
            found.append(policy.for_limited_accounts)
    if not_follower:
        found.append(policy.for_not_followers)
    return found


def verdict(policy: NotificationPolicy, type: str, sender: Sender, now: datetime) -> Verdict:
    """Drop (any condition met says drop), filter, or accept a new notification."""
    if type not in FILTERABLE_TYPES or sender.permitted:
        return "accept"
    if type == "mention" and sender.staff:
        return "accept"
    met = matches(policy, sender, now)
    if "drop" in met:
        return "drop"
    return "filter" if "filter" in met else "accept"


def asks_about_private_mentions(policy: NotificationPolicy) -> bool:
    return policy.for_private_mentions != "accept"


async def get(db: Database, owner: Account) -> NotificationPolicy:
    async with db.read() as conn:
        return await store.get(conn, owner.id)


async def update(db: Database, owner: Account, changes: dict[str, str]) -> NotificationPolicy:
    """Change the given fields (each "accept", "filter" or "drop"); the others stay."""
    errors = Errors()
    for name, value in changes.items():
        if name not in store.FIELDS:
            continue
        if value not in CHOICES:
            errors.add(name, "inclusion", "is not included in the list")
    errors.raise_if_any()
    wanted = {k: v for k, v in changes.items() if k in store.FIELDS}
    async with db.write() as conn:
        policy = replace(await store.get(conn, owner.id), **wanted)
        if wanted:
            await store.save(conn, owner.id, policy, clock.now())
        return policy


# Mastodon 4.3's compatibility with the v1 policy (/api/v1/notifications/policy): each boolean
# stands for one condition of the same policy.
V1_FIELDS = {
    "filter_not_following": "for_not_following",
    "filter_not_followers": "for_not_followers",
    "filter_new_accounts": "for_new_accounts",
    "filter_private_mentions": "for_private_mentions",
}


def v1_view(policy: NotificationPolicy) -> dict[str, bool]:
    """The v1 booleans: a condition that does not accept (filter or drop) filters."""
    return {v1: getattr(policy, field) != "accept" for v1, field in V1_FIELDS.items()}


async def update_v1(
    db: Database, owner: Account, changes: dict[str, bool | None]
) -> NotificationPolicy:
    """Set v1 booleans (true: "filter", false: "accept"; None: a value that is no boolean)."""
    errors = Errors()
    for name, value in changes.items():
        if name in V1_FIELDS and value is None:
            errors.add(name, "inclusion", "is not included in the list")
    errors.raise_if_any()
    return await update(
        db,
        owner,
        {V1_FIELDS[k]: "filter" if v else "accept" for k, v in changes.items() if k in V1_FIELDS},
    )
