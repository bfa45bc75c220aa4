"""Mastodon's streaming API over a real server: the websocket at /api/v1/streaming (streams
opened by query or by subscribe messages), the event streams (SSE) under it, and health.

Events come from the API calls that cause them (a follow, a post, a delete), through the
event bus; each test's stream hears only what its viewer may see."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from support.api import User, unique
from support.server import RunningServer

WAIT = 5.0  # the most an event may take (it usually takes a few milliseconds)


def ws_url(server: RunningServer, **query: str) -> str:
    base = server.base_url.replace("http://", "ws://", 1)
    return f"{base}/api/v1/streaming" + (f"?{urlencode(query)}" if query else "")


@contextmanager
def socket(server: RunningServer, token: str | None = None, **query: str) -> Iterator[Socket]:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    with connect(ws_url(server, **query), additional_headers=headers) as conn:
        yield Socket(conn)


class Socket:
    def __init__(self, conn: ClientConnection) -> None:
        self.conn = conn

    def send(self, message: dict[str, Any]) -> None:
        self.conn.send(json.dumps(message))

    def next(self, timeout: float = WAIT) -> dict[str, Any]:
        return dict(json.loads(self.conn.recv(timeout=timeout)))

    def event(self, name: str, timeout: float = WAIT) -> dict[str, Any]:
        """The next message of this event name (others before it skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no {name} event within {timeout} s"
            message = self.next(left)
            if message.get("event") == name:
                return message

    def nothing(self, seconds: float = 0.7) -> None:
        """No message arrives for a while."""
        try:
            message = self.conn.recv(timeout=seconds)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected message: {message}")

    def settle(self) -> None:
        """Wait until the server has handled what was sent (its subscriptions are on)."""
        self.send({"type": "subscribe", "stream": "no-such-stream"})
        assert self.next()["status"] == 400


def post(user: User, text: str, **extra: Any) -> dict[str, Any]:
    r = user.api.post("/api/v1/statuses", json={"status": text, **extra})
    assert r.status_code == 200, r.text
    return dict(r.json())


def follow(user: User, target: User) -> None:
    r = user.api.post(f"/api/v1/accounts/{target.id}/follow")
    assert r.status_code == 200, r.text


def test_health(server: RunningServer) -> None:
    r = httpx.get(f"{server.base_url}/api/v1/streaming/health")
    assert r.status_code == 200
    assert r.text == "OK"
    assert r.headers["content-type"].startswith("text/plain")


def test_notification_stream_hears_a_follow_within_a_second(
    server: RunningServer, alice: User, bob: User
) -> None:
    with socket(server, alice.token, stream="user:notification") as ws:
        ws.settle()
        started = time.monotonic()
        follow(bob, alice)
        message = ws.event("notification", timeout=1.0)
        assert time.monotonic() - started < 1.0
    assert message["stream"] == ["user:notification"]
    payload = json.loads(message["payload"])  # a JSON string, as Mastodon sends it
    assert payload["type"] == "follow"
    assert payload["account"]["id"] == bob.id


def test_user_stream_hears_followees_posts_and_their_deletion(
    server: RunningServer, alice: User, bob: User
) -> None:
    follow(alice, bob)
    with socket(server, alice.token, stream="user") as ws:
        ws.settle()
        status = post(bob, "hello followers")
        message = ws.event("update")
        assert message["stream"] == ["user"]
        shown = json.loads(message["payload"])
        assert shown["id"] == status["id"]
        assert shown["account"]["id"] == bob.id
        r = bob.api.delete(f"/api/v1/statuses/{status['id']}")
        assert r.status_code == 200, r.text
        deleted = ws.event("delete")
        assert deleted == {"stream": ["user"], "event": "delete", "payload": status["id"]}


def test_user_stream_hears_edits_and_own_posts(server: RunningServer, alice: User) -> None:
    with socket(server, alice.token, stream="user") as ws:
        ws.settle()
        status = post(alice, "first words")
        assert json.loads(ws.event("update")["payload"])["id"] == status["id"]
        r = alice.api.put(f"/api/v1/statuses/{status['id']}", json={"status": "second words"})
        assert r.status_code == 200, r.text
        edited = json.loads(ws.event("status.update")["payload"])
        assert edited["id"] == status["id"]
        assert "second words" in edited["content"]


def test_user_stream_skips_strangers(server: RunningServer, alice: User, bob: User) -> None:
    with socket(server, alice.token, stream="user") as ws:
        ws.settle()
        post(bob, "not for alice's home")
        ws.nothing()


def test_local_public_stream_without_a_token(server: RunningServer, alice: User, bob: User) -> None:
    # Two anonymous readers: the first to handle the event renders it for both.
    with socket(server, stream="public:local") as ws, socket(server, stream="public:local") as ws2:
        ws.settle()
        ws2.settle()
        post(alice, "unlisted words", visibility="unlisted")
        status = post(alice, "public words")
        for reader in (ws, ws2):
            message = reader.event("update")
            assert message["stream"] == ["public:local"]
            assert json.loads(message["payload"])["id"] == status["id"]


def test_public_stream_hears_only_of_public_statuses_going(
    server: RunningServer, alice: User
) -> None:
    private = post(alice, "for followers", visibility="private")
    public = post(alice, "for everyone")
    with socket(server, stream="public:local") as ws:
        ws.settle()
        assert alice.api.delete(f"/api/v1/statuses/{private['id']}").status_code == 200
        assert alice.api.delete(f"/api/v1/statuses/{public['id']}").status_code == 200
        message = ws.event("delete")
        assert message["payload"] == public["id"]
        ws.nothing()


def test_public_stream_leaves_out_blocked_and_muted_authors(
    server: RunningServer, alice: User, bob: User, carol: User
) -> None:
    assert alice.api.post(f"/api/v1/accounts/{bob.id}/block").status_code == 200
    assert alice.api.post(f"/api/v1/accounts/{carol.id}/mute").status_code == 200
    with socket(server, alice.token, stream="public") as ws:
        ws.settle()
        post(bob, "blocked words")
        post(carol, "muted words")
        mine = post(alice, "my words")
        assert json.loads(ws.event("update")["payload"])["id"] == mine["id"]
        ws.nothing()


def test_hide_filters_drop_statuses_and_warn_filters_mark_them(
    server: RunningServer, alice: User, bob: User
) -> None:
    word = unique("word")
    for action, keyword in (("hide", f"{word}h"), ("warn", f"{word}w")):
        r = alice.api.post(
            "/api/v2/filters",
            json={
                "title": action,
                "context": ["public"],
                "filter_action": action,
                "keywords_attributes": [{"keyword": keyword}],
            },
        )
        assert r.status_code == 200, r.text
    with socket(server, alice.token, stream="public") as ws:
        ws.settle()
        post(bob, f"about {word}h")
        warned = post(bob, f"about {word}w")
        shown = json.loads(ws.event("update")["payload"])
        assert shown["id"] == warned["id"]
        assert shown["filtered"][0]["filter"]["title"] == "warn"


def test_hashtag_stream_by_query_and_by_subscription(server: RunningServer, alice: User) -> None:
    tag = unique("Tag").replace("_", "")
    with socket(server, stream="hashtag", tag=tag) as ws:
        ws.send({"type": "subscribe", "stream": "hashtag:local", "tag": tag.lower()})
        ws.settle()
        post(alice, "no tag here")
        status = post(alice, f"tagged #{tag}")
        got = [ws.event("update"), ws.event("update")]
    assert sorted(m["stream"] for m in got) == [["hashtag", tag], ["hashtag:local", tag.lower()]]
    assert {json.loads(m["payload"])["id"] for m in got} == {status["id"]}


def test_list_stream(server: RunningServer, alice: User, bob: User, carol: User) -> None:
    follow(alice, bob)
    follow(alice, carol)
    r = alice.api.post("/api/v1/lists", json={"title": "friends"})
    assert r.status_code == 200, r.text
    list_id = r.json()["id"]
    r = alice.api.post(f"/api/v1/lists/{list_id}/accounts", json={"account_ids": [bob.id]})
    assert r.status_code == 200, r.text
    with socket(server, alice.token, stream="list", list=list_id) as ws:
        ws.settle()
        post(carol, "not in the list")
        status = post(bob, "in the list")
        message = ws.event("update")
        assert message["stream"] == ["list", list_id]
        assert json.loads(message["payload"])["id"] == status["id"]
        ws.nothing()
    # Someone else's list cannot be streamed.
    with socket(server, bob.token) as ws:
        ws.send({"type": "subscribe", "stream": "list", "list": list_id})
        assert ws.next() == {"error": "Not authorized to stream this list", "status": 401}


def test_subscribe_and_unsubscribe_messages(server: RunningServer, alice: User) -> None:
    with socket(server, alice.token) as ws:
        ws.send({"type": "subscribe", "stream": "public:local"})
        ws.send({"type": "subscribe", "stream": "public:local"})  # twice: still once
        ws.settle()
        status = post(alice, "once")
        assert json.loads(ws.event("update")["payload"])["id"] == status["id"]
        ws.nothing()
        ws.send({"type": "unsubscribe", "stream": "public:local"})
        ws.settle()
        post(alice, "unheard")
        ws.nothing()


def test_refusals_over_the_websocket(server: RunningServer, alice: User) -> None:
    with socket(server) as ws:  # no token: public streams only
        ws.send({"type": "subscribe", "stream": "user"})
        assert ws.next() == {"error": "Missing access token", "status": 401}
        ws.send({"type": "subscribe", "stream": "nonsense"})
        assert ws.next() == {"error": "Unknown stream type", "status": 400}
        ws.send({"type": "subscribe", "stream": "hashtag"})
        assert ws.next() == {"error": "No tag for stream provided", "status": 400}
    notifications_only = alice.token_with("read:notifications")
    with socket(server, notifications_only, stream="user") as ws:
        message = ws.next()
        assert message == {"error": "Access token does not have the required scopes", "status": 401}
    with pytest.raises(InvalidStatus) as refused, socket(server, "not-a-token", stream="public"):
        pass
    assert refused.value.response.status_code == 401


def test_token_in_query_and_subprotocol(server: RunningServer, alice: User, bob: User) -> None:
    with socket(server, None, stream="user:notification", access_token=alice.token) as ws:
        ws.settle()
        follow(bob, alice)
        assert json.loads(ws.event("notification")["payload"])["type"] == "follow"
    with connect(
        ws_url(server, stream="user:notification"),
        subprotocols=[alice.token],  # type: ignore[list-item]
    ) as conn:
        assert conn.subprotocol == alice.token
        ws = Socket(conn)
        ws.settle()
        assert bob.api.post(f"/api/v1/accounts/{alice.id}/unfollow").status_code == 200
        follow(bob, alice)
        assert json.loads(ws.event("notification")["payload"])["type"] == "follow"


class EventReader:
    """An event stream (SSE) read in a thread: its events, parsed."""

    def __init__(self, server: RunningServer, path: str, token: str | None, **params: str) -> None:
        self.events: list[tuple[str, str]] = []
        self.comments = 0
        self.response: httpx.Response | None = None
        self.opened = threading.Event()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = httpx.Client(base_url=server.base_url, timeout=30)
        self.path, self.headers, self.params = path, headers, params
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        assert self.opened.wait(WAIT)

    def _read(self) -> None:
        with self.client.stream(
            "GET", self.path, headers=self.headers, params=self.params
        ) as response:
            self.response = response
            self.opened.set()
            event: dict[str, str] = {}
            try:
                for line in response.iter_lines():
                    if line.startswith(":"):
                        self.comments += 1
                    elif line == "":
                        if event:
                            self.events.append((event["event"], event["data"]))
                        event = {}
                    else:
                        key, _, value = line.partition(": ")
                        event[key] = value
            except httpx.TransportError:  # closed by the test (or the server stopped)
                return

    def wait(self, name: str) -> str:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            for event, data in self.events:
                if event == name:
                    return data
            time.sleep(0.02)
        raise AssertionError(f"no {name} event: {self.events}")

    def close(self) -> None:
        self.client.close()


def test_event_stream_of_the_user(server: RunningServer, alice: User, bob: User) -> None:
    follow(alice, bob)
    reader = EventReader(server, "/api/v1/streaming/user", alice.token)
    try:
        assert reader.response is not None
        assert reader.response.status_code == 200
        assert reader.response.headers["content-type"].startswith("text/event-stream")
        deadline = time.monotonic() + WAIT
        while reader.comments == 0 and time.monotonic() < deadline:  # the opening `:)`
            time.sleep(0.02)
        status = post(bob, "over server-sent events")
        assert json.loads(reader.wait("update"))["id"] == status["id"]
    finally:
        reader.close()


def test_event_stream_refusals(server: RunningServer, alice: User) -> None:
    base = server.base_url
    r = httpx.get(f"{base}/api/v1/streaming/user")
    assert r.status_code == 401
    assert r.json() == {"error": "Missing access token"}
    r = httpx.get(f"{base}/api/v1/streaming/user", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    assert r.json()["error"]
    r = httpx.get(f"{base}/api/v1/streaming/hashtag")
    assert r.status_code == 400
    assert r.json() == {"error": "No tag for stream provided"}
    r = httpx.get(f"{base}/api/v1/streaming/nonsense")
    assert r.status_code == 400
    assert r.json() == {"error": "Unknown stream type"}
    # In the language the client asks for (never the account's own: Mastodon's are English).
    r = httpx.get(f"{base}/api/v1/streaming/nonsense", headers={"Accept-Language": "de"})
    assert r.json() == {"error": "Unbekannter Stream-Typ"}
    token = alice.token_with("read:notifications")
    r = httpx.get(f"{base}/api/v1/streaming/user", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert r.json() == {"error": "Access token does not have the required scopes"}
