"""Misskey's streaming channels: `main` and the timelines (stream/channels/*.ts).

A channel is a class registered under its Misskey name (`@channel`); adding one is one class.
`start` checks the params and listens to its topics (False: not connected), `on_event`
renders a bus event for the connection's viewer, `on_message` takes a `ch` frame.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from tandem.api.misskey.entities.announcements import announcement
from tandem.api.misskey.entities.notes import note
from tandem.api.misskey.entities.notifications import HIDDEN, notification
from tandem.api.misskey.entities.user_lite import user_lite
from tandem.api.misskey.entities.users import me_detailed, user_detailed
from tandem.core import announcements, lists, notifications, stream_events, user_views
from tandem.core.announcements import Announcement
from tandem.core.errors import DomainError
from tandem.core.events import Event
from tandem.core.handles import Database
from tandem.core.ids import parse_id
from tandem.core.models import Status
from tandem.core.statuses import StatusBundle

if TYPE_CHECKING:
    from tandem.api.misskey.streaming.connection import Connection

C = TypeVar("C", bound="type[Channel]")
CHANNELS: dict[str, type[Channel]] = {}


def channel(name: str) -> Callable[[C], C]:
    """Register a channel class under its Misskey name."""

    def register(cls: C) -> C:
        cls.name = name
        CHANNELS[name] = cls
        return cls

    return register


class Channel:
    name: ClassVar[str] = ""
    shared: ClassVar[bool] = False  # connected twice on one connection: the second ignored
    credential: ClassVar[bool] = False  # needs a signed-in viewer
    permission: ClassVar[str | None] = None  # the kind an app token must hold

    __slots__ = ("conn", "id", "topics")

    def __init__(self, conn: Connection, id: str) -> None:
        self.conn = conn
        self.id = id
        self.topics: list[str] = []

    async def start(self, params: dict[str, Any]) -> bool:
        return True

    async def listen(self, *topics: str) -> None:
        self.topics = [*self.topics, *topics]
        await self.conn.listen(self, list(topics))

    async def stop(self) -> None:
        await self.conn.unlisten(self)

    async def on_event(self, event: Event) -> None:
        pass

    async def on_message(self, type: str, body: Any) -> None:
        pass

    async def emit(self, type: str, body: Any) -> None:
        await self.conn.emit(self, type, body)

    @property
    def me(self) -> int:
        viewer = self.conn.viewer
        assert viewer is not None
        return viewer.id

    async def shown(self, event: Event) -> tuple[Status, StatusBundle] | None:
        """The event's status as the viewer may see it (None: not for this viewer)."""
        status_id = event.data.get("status_id")
        if not isinstance(status_id, int):
            return None
        found = await stream_events.shown(self.conn.services.db, self.conn.viewer, status_id)
        if found is None or not found.statuses:
            return None
        return found.statuses[0], found

    async def send_note(self, status: Status, b: StatusBundle) -> None:
        await self.emit("note", note(self.conn.ctx, status, b))


# Everyone's new announcements, loaded once for every connection that tells of it (each
# would otherwise read it: a thousand streams, a thousand reads). Only the newest few are kept.
_everyones: dict[int, asyncio.Future[Announcement | None]] = {}


async def _load(db: Database, announcement_id: int) -> Announcement | None:
    try:
        return (await announcements.show(db, None, announcement_id)).items[0]
    except DomainError:
        return None


async def announcement_created(conn: Connection, event: Event) -> dict[str, Any] | None:
    """`announcementCreated`'s body: {announcement} as the connection's viewer sees it (new:
    nobody has read it yet)."""
    announcement_id = event.data.get("announcement_id")
    if not isinstance(announcement_id, int):
        return None
    db = conn.services.db
    if event.topic != announcements.BROADCAST:  # one account's own
        try:
            found = await announcements.show(db, conn.viewer, announcement_id)
        except DomainError:
            return None
        return {"announcement": announcement(conn.ctx, found.items[0], found.read)}
    loading = _everyones.get(announcement_id)
    if loading is None:
        loading = _everyones[announcement_id] = asyncio.ensure_future(_load(db, announcement_id))
        while len(_everyones) > 16:
            del _everyones[next(iter(_everyones))]
    item = await asyncio.shield(loading)
    if item is None:
        return None
    return {"announcement": announcement(conn.ctx, item, set() if conn.viewer else None)}


# How a `newChatMessage` event's message is rendered (ChatMessage, for the receiver): set by
# the chat module (api/misskey/endpoints/chat*), which owns the chat entities.
ChatMessageRenderer = Callable[["Connection", int], Awaitable[dict[str, Any] | None]]
chat_message_renderer: list[ChatMessageRenderer] = []


@channel("main")
class Main(Channel):
    shared = True
    credential = True
    permission = "read:account"
    __slots__ = ()

    async def start(self, params: dict[str, Any]) -> bool:
        await self.listen(stream_events.user_topic(self.me))
        return True

    async def on_event(self, event: Event) -> None:
        conn, kind, data = self.conn, event.kind, event.data
        viewer = conn.viewer
        assert viewer is not None and conn.principal is not None
        db = conn.services.db
        if kind == "notification":
            nid = data.get("notification_id")
            if not isinstance(nid, int):
                return
            try:
                page = await notifications.one(db, viewer, nid)
            except DomainError:
                return
            if page.items and page.items[0].type not in HIDDEN:
                await self.emit("notification", notification(conn.ctx, page, page.items[0]))
        elif kind in ("mention", "reply", "renote"):
            found = await self.shown(event)
            if found is not None:
                await self.emit(kind, note(conn.ctx, *found))
        elif kind in ("follow", "followed", "unfollow"):
            account_id = data.get("account_id")
            if not isinstance(account_id, int):
                return
            try:
                view = await user_views.of(db, viewer, account_id, conn.principal.user)
            except DomainError:
                return
            if kind == "followed":
                await self.emit(kind, user_lite(conn.ctx, view.account))
            else:
                await self.emit(kind, user_detailed(conn.ctx, view))
        elif kind == "me_updated":
            me = await user_views.me(db, viewer.id)
            secrets = conn.principal.token.native
            await self.emit("meUpdated", me_detailed(conn.ctx, me, secrets=secrets))
        elif kind == "announcement.created":  # one made for this account alone
            rendered = await announcement_created(conn, event)
            if rendered is not None:
                await self.emit("announcementCreated", rendered)
        elif kind == "readAllAnnouncements":
            await self.emit("readAllAnnouncements", None)
        elif kind == "newChatMessage":
            message_id = data.get("message_id")
            if isinstance(message_id, int) and chat_message_renderer:
                rendered = await chat_message_renderer[0](conn, message_id)
                if rendered is not None:
                    await self.emit("newChatMessage", rendered)


def _flag(params: dict[str, Any], name: str, default: bool) -> bool:
    value = params.get(name, default)
    return value if isinstance(value, bool) else default


class Timeline(Channel):
    """A timeline channel: `note` events, with Misskey's withRenotes / withFiles /
    withReplies params."""

    shared = True
    __slots__ = ("recent", "with_files", "with_renotes", "with_replies")

    def __init__(self, conn: Connection, id: str) -> None:
        super().__init__(conn, id)
        self.with_files = False
        self.with_renotes = True
        self.with_replies = False
        self.recent: tuple[int, ...] = ()  # the last notes sent (a note may come twice)

    def configure(self, params: dict[str, Any]) -> None:
        self.with_files = _flag(params, "withFiles", False)
        self.with_renotes = _flag(params, "withRenotes", True)
        self.with_replies = _flag(params, "withReplies", False)

    def wanted(self, event: Event, status: Status, b: StatusBundle) -> bool:
        shown = b.originals.get(status.reblog_of_id, status) if status.reblog_of_id else status
        if status.reblog_of_id and not self.with_renotes:
            return False
        return not (self.with_files and not shown.media)

    def reply_to_others(self, status: Status) -> bool:
        """A reply to someone else than its author and the viewer (hidden from the public
        timelines unless withReplies)."""
        replied = status.in_reply_to_account_id
        viewer = self.conn.viewer
        return (
            status.in_reply_to_id is not None
            and replied is not None
            and replied != status.account_id
            and (viewer is None or replied != viewer.id)
        )

    async def on_event(self, event: Event) -> None:
        if event.kind != "status":
            return
        found = await self.shown(event)
        if found is None:
            return
        status, b = found
        if status.id in self.recent or not self.wanted(event, status, b):
            return
        self.recent = (*self.recent[-7:], status.id)
        await self.send_note(status, b)


@channel("homeTimeline")
class HomeTimeline(Timeline):
    credential = True
    __slots__ = ()

    async def start(self, params: dict[str, Any]) -> bool:
        self.configure(params)
        await self.listen(stream_events.home_topic(self.me))
        return True


@channel("localTimeline")
class LocalTimeline(Timeline):
    __slots__ = ()

    async def start(self, params: dict[str, Any]) -> bool:
        self.configure(params)
        await self.listen("public:local:media" if self.with_files else "public:local")
        return True

    def wanted(self, event: Event, status: Status, b: StatusBundle) -> bool:
        if not self.with_replies and self.reply_to_others(status):
            return False
        return super().wanted(event, status, b)


@channel("hybridTimeline")
class HybridTimeline(LocalTimeline):
    credential = True
    __slots__ = ()

    async def start(self, params: dict[str, Any]) -> bool:
        await super().start(params)
        await self.listen(stream_events.home_topic(self.me))
        return True

    def wanted(self, event: Event, status: Status, b: StatusBundle) -> bool:
        if event.topic.startswith("home:"):  # the home feed's own rules chose it already
            return Timeline.wanted(self, event, status, b)
        return super().wanted(event, status, b)


@channel("globalTimeline")
class GlobalTimeline(LocalTimeline):
    __slots__ = ()

    async def start(self, params: dict[str, Any]) -> bool:
        self.configure(params)
        await self.listen("public:media" if self.with_files else "public")
        return True


@channel("hashtag")
class Hashtag(Timeline):
    """params `q`: a list of lists of tags (any inner list whose tags all match)."""

    shared = False
    __slots__ = ("wanted_tags",)

    def __init__(self, conn: Connection, id: str) -> None:
        super().__init__(conn, id)
        self.wanted_tags: list[frozenset[str]] = []

    async def start(self, params: dict[str, Any]) -> bool:
        q = params.get("q")
        if not isinstance(q, list) or not q or len(q) > 16:
            return False
        for group in q:
            if not isinstance(group, list) or not group or len(group) > 16:
                return False
            if not all(isinstance(t, str) and 0 < len(t) <= 128 for t in group):
                return False
            self.wanted_tags.append(frozenset(t.lower().lstrip("#") for t in group))
        self.configure(params)
        await self.listen(*dict.fromkeys(f"hashtag:{t}" for g in self.wanted_tags for t in g))
        return True

    def wanted(self, event: Event, status: Status, b: StatusBundle) -> bool:
        tags = {t.lower() for t in status.tags}
        return any(g <= tags for g in self.wanted_tags) and super().wanted(event, status, b)


@channel("userList")
class UserList(Timeline):
    credential = True
    shared = False
    __slots__ = ()

    async def start(self, params: dict[str, Any]) -> bool:
        list_id = parse_id(params.get("listId"))
        if list_id is None:
            return False
        viewer = self.conn.viewer
        assert viewer is not None
        try:
            await lists.get(self.conn.services.db, viewer, list_id)
        except DomainError:
            return False
        self.configure(params)
        await self.listen(f"list:{list_id}")
        return True
