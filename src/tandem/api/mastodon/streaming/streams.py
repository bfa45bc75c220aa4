"""Mastodon's streams: which one a client asks for, whether it may, and what it listens to.

A stream is named as Mastodon names them (`user`, `user:notification`, `public`,
`public:local`, `public:media`, `public:local:media`, `public:remote[:media]`, `hashtag`,
`hashtag:local`, `list`, `direct`), with a `tag` or `list` parameter where it needs one. It
listens to topics of the event bus (core/events.py) and turns the events it hears into
Mastodon events (`render.py`). Public streams need no token (tandem's public timelines are
open to anonymous readers); every other stream needs a user's token with `read` or
`read:statuses` (`read:notifications` for `user:notification`), as Mastodon checks them.
"""

from __future__ import annotations

from dataclasses import dataclass

from tandem.api.mastodon.endpoint import OUT_OF_SCOPE, MastodonError, authorize
from tandem.core import lists
from tandem.core.errors import NotFound
from tandem.core.handles import Database
from tandem.core.i18n import Text
from tandem.core.ids import parse_id
from tandem.core.models import Principal
from tandem.core.scopes import accepts

READ_STATUSES = accepts("read:statuses")
READ_NOTIFICATIONS = accepts("read:notifications")

UNKNOWN_STREAM = Text("Unknown stream type")
MISSING_TOKEN = Text("Missing access token")
NOT_IN_SCOPE = Text("Access token does not have the required scopes")
NO_TAG = Text("No tag for stream provided")
NO_LIST = Text("Missing list name parameter")
LIST_REFUSED = Text("Not authorized to stream this list")

PUBLIC = {
    "public": "public",
    "public:media": "public:media",
    "public:local": "public:local",
    "public:local:media": "public:local:media",
    "public:remote": "public:remote",
    "public:remote:media": "public:remote:media",
}
HASHTAG = ("hashtag", "hashtag:local")
NAMES = frozenset({*PUBLIC, *HASHTAG, "user", "user:notification", "list", "direct"})
STATUSES = "statuses"  # the bus's topic of deletes and edits
BROADCAST = "broadcast"  # what every stream hears (announcements: the `user` stream's)


class StreamError(Exception):
    """A stream that cannot be opened: Mastodon's status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class Stream:
    """One stream of a connection: its name, its parameter, and the topics it hears."""

    name: str
    param: str | None = None  # the tag as the client wrote it, or the list id
    topics: tuple[str, ...] = ()
    notifications: bool = False  # `user`: the token may read notifications

    @property
    def key(self) -> tuple[str, str | None]:
        """What tells two subscriptions apart (a tag in any case is the same stream)."""
        return (self.name, self.param.lower() if self.param is not None else None)

    @property
    def label(self) -> list[str]:
        """The `stream` of its websocket messages: `["hashtag", "tag"]`, `["user"]`…"""
        return [self.name] if self.param is None else [self.name, self.param]

    @property
    def account_id(self) -> int | None:
        for topic in self.topics:
            if topic.startswith(("user:", "home:")):
                return int(topic.split(":", 1)[1])
        return None


def param_of(name: str, params: dict[str, object]) -> str | None:
    """The stream's parameter as given (`tag`, or `list`), or None."""
    wanted = "tag" if name in HASHTAG else "list" if name == "list" else None
    if wanted is None:
        return None
    value = params.get(wanted)
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value if isinstance(value, str) and value else None


def key_of(name: str, params: dict[str, object]) -> tuple[str, str | None]:
    param = param_of(name, params)
    return (name, param.lower() if param is not None else None)


def _covers(principal: Principal, scopes: tuple[str, ...]) -> bool:
    try:
        authorize(principal, "user", scopes)
    except MastodonError:
        return False
    return True


def _check_user(principal: Principal | None, scopes: tuple[str, ...]) -> int:
    """The account of a stream that needs a user's token with these scopes."""
    if principal is None:
        raise StreamError(401, MISSING_TOKEN)
    try:
        authorize(principal, "user", scopes)
    except MastodonError as err:
        if err.error == OUT_OF_SCOPE:
            raise StreamError(401, NOT_IN_SCOPE) from None
        raise StreamError(err.status, err.error) from None
    assert principal.account is not None
    return principal.account.id


async def open_stream(
    db: Database, principal: Principal | None, name: str | None, params: dict[str, object]
) -> Stream:
    """The stream a client asks for (StreamError when it may not have it)."""
    if name not in NAMES:
        raise StreamError(400, UNKNOWN_STREAM)
    if name in PUBLIC:
        topic = PUBLIC[name]
        return Stream(name, topics=(topic, STATUSES) if topic else ())
    if name in HASHTAG:
        tag = param_of(name, params)
        if tag is None:
            raise StreamError(400, NO_TAG)
        prefix = "hashtag:local:" if name == "hashtag:local" else "hashtag:"
        return Stream(name, tag, (f"{prefix}{tag.lower()}", STATUSES))
    if name == "user:notification":
        account_id = _check_user(principal, READ_NOTIFICATIONS)
        return Stream(name, topics=(f"user:{account_id}",), notifications=True)
    account_id = _check_user(principal, READ_STATUSES)
    assert principal is not None and principal.account is not None
    if name == "user":
        notified = _covers(principal, READ_NOTIFICATIONS)
        topics = (f"home:{account_id}", f"user:{account_id}", STATUSES, BROADCAST)
        return Stream(name, topics=topics, notifications=notified)
    if name == "direct":
        return Stream(name, topics=(f"user:{account_id}",))
    raw = param_of(name, params)  # a list
    if raw is None:
        raise StreamError(400, NO_LIST)
    list_id = parse_id(raw)
    if list_id is None:
        raise StreamError(401, LIST_REFUSED)
    try:
        await lists.get(db, principal.account, list_id)
    except NotFound:
        raise StreamError(401, LIST_REFUSED) from None
    return Stream(name, raw, (f"list:{list_id}", STATUSES))
