"""Misskey chat, direct messages: chat/history, chat/read-all, chat/messages/*, over HTTP."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, text

from support.cli import tandem
from support.images import png
from support.misskey import MkUser, mk_user
from support.server import RunningServer
from support.sql import execute
from tandem.core.ids import new_id
from tandem.store.types import UTCDateTime
from test_concurrency import sql


def _pair(server: RunningServer, scope: str = "everyone") -> tuple[MkUser, MkUser]:
    a, b = mk_user(server), mk_user(server)
    b.mk("i/update", {"chatScope": scope})
    return a, b


def _send(a: MkUser, b: MkUser, text: str = "hi") -> dict[str, object]:
    return dict(a.mk("chat/messages/create-to-user", {"toUserId": b.id, "text": text}))


def test_send_read_and_timeline(server: RunningServer) -> None:
    a, b = _pair(server)
    assert b.mk("i")["chatScope"] == "everyone"
    assert b.mk("i")["canChat"] is True
    sent = _send(a, b, "  Hello!  ")
    assert sent["text"] == "Hello!"
    assert sent["fromUserId"] == a.id
    assert sent["toUserId"] == b.id
    assert set(sent) == {
        "id", "createdAt", "fromUserId", "toUserId", "text", "fileId", "file", "reactions"
    }  # fmt: skip
    assert b.mk("i")["hasUnreadChatMessages"] is True
    history = b.mk("chat/history", {})
    assert [h["id"] for h in history] == [sent["id"]]
    assert history[0]["isRead"] is False
    assert history[0]["toUser"]["id"] == b.id
    timeline = b.mk("chat/messages/user-timeline", {"userId": a.id})
    assert [m["id"] for m in timeline] == [sent["id"]]
    assert b.mk("i")["hasUnreadChatMessages"] is False
    assert b.mk("chat/history", {})[0]["isRead"] is True
    # b may always answer a (a wrote first), whatever a's scope
    a.mk("i/update", {"chatScope": "none"})
    _send(b, a, "answer")
    assert a.mk("i")["hasUnreadChatMessages"] is True
    a.mk("chat/read-all", {})
    assert a.mk("i")["hasUnreadChatMessages"] is False
    assert a.mk("chat/history", {"room": True}) == []


def test_pagination_order(server: RunningServer) -> None:
    a, b = _pair(server)
    ids = [_send(a, b, f"m{i}")["id"] for i in range(5)]
    newest = a.mk("chat/messages/user-timeline", {"userId": b.id, "limit": 2})
    assert [m["id"] for m in newest] == [ids[4], ids[3]]
    older = a.mk("chat/messages/user-timeline", {"userId": b.id, "untilId": ids[3]})
    assert [m["id"] for m in older] == [ids[2], ids[1], ids[0]]
    after = a.mk("chat/messages/user-timeline", {"userId": b.id, "sinceId": ids[1], "limit": 2})
    assert [m["id"] for m in after] == [ids[2], ids[3]]  # sinceId alone: oldest first
    both = a.mk(
        "chat/messages/user-timeline", {"userId": b.id, "sinceId": ids[0], "untilId": ids[4]}
    )
    assert [m["id"] for m in both] == [ids[3], ids[2], ids[1]]


def test_send_errors(server: RunningServer) -> None:
    a, b = _pair(server)
    mk = a.mk
    mk.error("chat/messages/create-to-user", {"toUserId": a.id, "text": "x"}, 400,
             "RECIPIENT_IS_YOURSELF")  # fmt: skip
    mk.error("chat/messages/create-to-user", {"toUserId": "999", "text": "x"}, 400, "NO_SUCH_USER")
    mk.error("chat/messages/create-to-user", {"toUserId": b.id}, 400, "CONTENT_REQUIRED")
    mk.error("chat/messages/create-to-user", {"toUserId": b.id, "text": "  "}, 400,
             "CONTENT_REQUIRED")  # fmt: skip
    mk.error("chat/messages/create-to-user", {"toUserId": b.id, "text": "x" * 2001}, 400,
             "INVALID_PARAM")  # fmt: skip
    theirs = b.mk.upload(png(), "b.png", "image/png")
    mk.error("chat/messages/create-to-user", {"toUserId": b.id, "fileId": theirs["id"]}, 400,
             "NO_SUCH_FILE")  # fmt: skip
    mine = a.mk.upload(png(), "a.png", "image/png")
    sent = mk("chat/messages/create-to-user", {"toUserId": b.id, "fileId": mine["id"]})
    assert sent["text"] is None
    assert sent["fileId"] == mine["id"]
    assert sent["file"]["id"] == mine["id"]
    mk.error("chat/messages/delete", {"messageId": "999"}, 400, "NO_SUCH_MESSAGE")
    b.mk.error("chat/messages/delete", {"messageId": sent["id"]}, 400, "NO_SUCH_MESSAGE")
    c = mk_user(server)
    c.mk.error("chat/messages/show", {"messageId": sent["id"]}, 400, "NO_SUCH_MESSAGE")
    assert b.mk("chat/messages/show", {"messageId": sent["id"]})["toUser"]["id"] == b.id
    mk("chat/messages/delete", {"messageId": sent["id"]})
    mk.error("chat/messages/show", {"messageId": sent["id"]}, 400, "NO_SUCH_MESSAGE")
    assert a.mk("chat/history", {}) == []


FOLLOWS = ["none", "a->b", "b->a", "mutual"]
ALLOWED = {
    "everyone": {"none", "a->b", "b->a", "mutual"},
    "followers": {"a->b", "mutual"},
    "following": {"b->a", "mutual"},
    "mutual": {"mutual"},
    "none": set(),
}


@pytest.fixture(scope="module")
def matrix_users(server: RunningServer) -> dict[str, tuple[MkUser, MkUser]]:
    out = {}
    for state in FOLLOWS:
        a, b = mk_user(server), mk_user(server)
        if state in ("a->b", "mutual"):
            a.mk("following/create", {"userId": b.id})
        if state in ("b->a", "mutual"):
            b.mk("following/create", {"userId": a.id})
        out[state] = (a, b)
    return out


@pytest.mark.parametrize(("scope", "state"), list(itertools.product(ALLOWED, FOLLOWS)))
def test_chat_scope_matrix(
    matrix_users: dict[str, tuple[MkUser, MkUser]], scope: str, state: str
) -> None:
    a, b = matrix_users[state]
    b.mk("i/update", {"chatScope": scope})
    body = {"toUserId": b.id, "text": "knock"}
    if state in ALLOWED[scope]:
        a.mk("chat/messages/create-to-user", body)
    else:
        a.mk.error("chat/messages/create-to-user", body, 400, "CHAT_NOT_ALLOWED")


@pytest.mark.parametrize("scope", list(ALLOWED))
def test_blocks_refuse_in_every_scope(server: RunningServer, scope: str) -> None:
    a, b = _pair(server, scope)
    a.mk("following/create", {"userId": b.id})
    b.mk("following/create", {"userId": a.id})
    b.mk("blocking/create", {"userId": a.id})
    body = {"toUserId": b.id, "text": "x"}
    a.mk.error("chat/messages/create-to-user", body, 400, "YOU_HAVE_BEEN_BLOCKED")
    b.mk("blocking/delete", {"userId": a.id})
    a.mk("blocking/create", {"userId": b.id})
    a.mk.error("chat/messages/create-to-user", body, 400, "YOU_ARE_BLOCKING")


def test_reactions(server: RunningServer) -> None:
    a, b = _pair(server)
    sent = _send(a, b)
    body = {"messageId": sent["id"], "reaction": ":heart:"}
    a.mk.error("chat/messages/react", body, 400, "CANNOT_REACT_TO_OWN_MESSAGE")
    b.mk("chat/messages/react", body)
    b.mk("chat/messages/react", body)  # idempotent
    b.mk("chat/messages/react", {"messageId": sent["id"], "reaction": "\U0001f44d\ufe0f"})
    shown = a.mk("chat/messages/show", {"messageId": sent["id"]})
    assert [r["reaction"] for r in shown["reactions"]] == ["\u2764", "\U0001f44d"]
    assert shown["reactions"][0]["user"]["id"] == b.id
    b.mk.error("chat/messages/react", {"messageId": sent["id"], "reaction": ":nope_x:"}, 400,
               "NO_SUCH_EMOJI")  # fmt: skip
    b.mk.error("chat/messages/react", {"messageId": sent["id"], "reaction": "abc"}, 400,
               "INVALID_REACTION")  # fmt: skip
    b.mk.error("chat/messages/react", {"messageId": "999", "reaction": "\u2764"}, 400,
               "NO_SUCH_MESSAGE")  # fmt: skip
    c = mk_user(server)
    c.mk.error("chat/messages/react", body, 400, "NO_SUCH_MESSAGE")
    b.mk("chat/messages/unreact", body)
    lite = a.mk("chat/messages/user-timeline", {"userId": b.id})[0]
    assert lite["reactions"] == [{"reaction": "\U0001f44d"}]


def test_search_scopes(server: RunningServer) -> None:
    a, b = _pair(server)
    c = mk_user(server)
    c.mk("i/update", {"chatScope": "everyone"})
    m1 = _send(a, b, "Project Meeting at noon")
    m2 = _send(a, c, "the meeting moved")
    _send(b, a, "nothing here")
    found = a.mk("chat/messages/search", {"query": "MEETING"})
    assert [m["id"] for m in found] == [m2["id"], m1["id"]]
    only_b = a.mk("chat/messages/search", {"query": "meeting", "userId": b.id})
    assert [m["id"] for m in only_b] == [m1["id"]]
    assert [m["id"] for m in a.mk("chat/messages/search", {"query": "at"})] == [m1["id"]]
    assert c.mk("chat/messages/search", {"query": "noon"}) == []
    assert a.mk("chat/messages/search", {"query": "100%"}) == []
    a.mk.error("chat/messages/search", {"query": ""}, 400, "INVALID_PARAM")
    a.mk.error("chat/messages/search", {"query": "x", "roomId": "999"}, 400, "NO_SUCH_ROOM")


def test_unread_notice_job_runs_after_three_seconds(server: RunningServer) -> None:
    """The `newChatMessage` notice is a job queued 3 s ahead, which the worker runs."""
    a, b = _pair(server)
    sent = _send(a, b, "are you there?")
    query = "SELECT state, run_at, created_at FROM jobs WHERE kind = 'chat_new_message' " + (
        "AND payload LIKE :p"
    )
    pattern = f"%{sent['id']}%"
    rows = sql(server, query, p=pattern)
    assert len(rows) == 1
    deadline = time.monotonic() + 20
    while rows[0][0] != "done" and time.monotonic() < deadline:
        time.sleep(0.2)
        rows = sql(server, query, p=pattern)
    assert rows[0][0] == "done"


def test_deleted_messages_leave_the_search(server: RunningServer) -> None:
    a, b = _pair(server)
    kept = _send(a, b, "Quarterly numbers attached")
    gone = _send(a, b, "quarterly draft, ignore")
    found = b.mk("chat/messages/search", {"query": "quarterly", "userId": a.id})
    assert [m["id"] for m in found] == [gone["id"], kept["id"]]
    a.mk("chat/messages/delete", {"messageId": gone["id"]})
    found = b.mk("chat/messages/search", {"query": "quarterly", "userId": a.id})
    assert [m["id"] for m in found] == [kept["id"]]
    assert b.mk("chat/history", {})[0]["id"] == kept["id"]


def test_history_hides_muted_users_and_scope_defaults(server: RunningServer) -> None:
    a, b = _pair(server)
    fresh = mk_user(server)
    assert fresh.mk("i")["chatScope"] == "mutual"
    shown = a.mk("users/show", {"userId": b.id})
    assert shown["chatScope"] == "everyone"
    assert shown["canChat"] is True
    _send(a, b)
    assert len(b.mk("chat/history", {})) == 1
    b.mk("mute/create", {"userId": a.id})
    assert b.mk("chat/history", {}) == []
    a.mk.error("i/update", {"chatScope": "friends"}, 400, "INVALID_PARAM")


def _fill(server: RunningServer, sender: MkUser, recipient: MkUser, count: int) -> None:
    """`count` messages "filler 0"… from sender to recipient, written straight to the database
    (ids from tandem's own generator, so they sort between the messages sent before and
    after): a thousand requests would take minutes on a busy machine."""
    low, high = sorted((int(sender.id), int(recipient.id)))
    now = datetime.now(UTC)
    insert = text(
        "INSERT INTO chat_messages (id, from_account_id, to_account_id, pair_low, pair_high, "
        "text, created_at) VALUES (:id, :sender, :recipient, :low, :high, :text, :at)"
    ).bindparams(bindparam("at", type_=UTCDateTime()))
    rows = [
        {"id": new_id(), "sender": int(sender.id), "recipient": int(recipient.id),
         "low": low, "high": high, "text": f"filler {i}", "at": now}
        for i in range(count)
    ]  # fmt: skip
    execute(server, insert, rows)


def test_search_reaches_past_the_newest_thousand(server: RunningServer) -> None:
    """Hits older than the newest 1000 messages of a conversation come from the trigram
    index (or, for a query too short for trigrams, a scan of the rest)."""
    a, b = _pair(server)
    old = _send(a, b, "the platypus plan")
    short = _send(b, a, "ok q")
    _fill(server, a, b, 1000)
    newest = _send(b, a, "another Platypus")
    for scope in ({"userId": b.id}, {}):
        found = a.mk("chat/messages/search", {"query": "platypus", **scope})
        assert [m["id"] for m in found] == [newest["id"], old["id"]]
        found = a.mk("chat/messages/search", {"query": " q", **scope})
        assert [m["id"] for m in found] == [short["id"]]
        found = a.mk("chat/messages/search", {"query": "filler 99", "limit": 3, **scope})
        assert [m["text"] for m in found] == ["filler 999", "filler 998", "filler 997"]


def test_suspended_recipients_cannot_chat(server: RunningServer) -> None:
    a, b = _pair(server)
    tandem(server, "admin", "suspend", b.username)
    a.mk.error(
        "chat/messages/create-to-user", {"toUserId": b.id, "text": "x"}, 400,
        "RECIPIENT_CANNOT_CHAT",
    )  # fmt: skip
    assert a.mk("users/show", {"userId": b.id})["canChat"] is False
    tandem(server, "admin", "unsuspend", b.username)
    _send(a, b)


def test_read_state_per_conversation(server: RunningServer) -> None:
    a, b, c = mk_user(server), mk_user(server), mk_user(server)
    a.mk("i/update", {"chatScope": "everyone"})
    from_b = _send(b, a, "from b")
    from_c = _send(c, a, "from c")
    _send(a, c, "answered")  # a's own message: c's thread stays unread for a
    history = a.mk("chat/history", {})
    assert [h["id"] for h in history][1:] == [from_b["id"]]
    assert [h["isRead"] for h in history] == [False, False]
    a.mk("chat/messages/user-timeline", {"userId": c.id})
    assert [h["isRead"] for h in a.mk("chat/history", {})] == [True, False]
    assert a.mk("i")["hasUnreadChatMessages"] is True
    a.mk("chat/messages/user-timeline", {"userId": b.id})
    assert a.mk("i")["hasUnreadChatMessages"] is False
    assert from_c["id"] != from_b["id"]
