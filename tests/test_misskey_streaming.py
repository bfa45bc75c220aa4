"""Misskey's streaming API (`/streaming`) over a real websocket: the frames, the channels,
what each viewer is (not) told, and the refusals (bad token, suspended, too many channels)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

import orjson
import pytest
import websockets
from websockets.asyncio.client import ClientConnection, connect

from support.cli import tandem
from support.misskey import MkUser, app_token, mk_user
from support.server import RunningServer

Frame = dict[str, Any]


def ws_url(server: RunningServer, token: str | None = None) -> str:
    base = server.base_url.replace("http://", "ws://") + "/streaming"
    return f"{base}?i={token}" if token is not None else base


async def send(ws: ClientConnection, type: str, body: Any) -> None:
    await ws.send(orjson.dumps({"type": type, "body": body}).decode())


async def open_channel(
    ws: ClientConnection, channel: str, params: dict[str, Any] | None = None
) -> str:
    """Connect a channel and wait for its `connected` ack; its id."""
    id = uuid.uuid4().hex
    await send(ws, "connect", {"channel": channel, "id": id, "params": params or {}, "pong": True})
    frame = await wait_for(ws, lambda f: f["type"] == "connected")
    assert frame["body"] == {"id": id}
    return id


async def wait_for(
    ws: ClientConnection, wanted: Callable[[Frame], bool], within: float = 5
) -> Frame:
    deadline = time.monotonic() + within
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no such frame")
        frame = orjson.loads(await asyncio.wait_for(ws.recv(), left))
        if wanted(frame):
            return dict(frame)


async def silent(ws: ClientConnection, wanted: Callable[[Frame], bool], wait: float = 1) -> bool:
    """No wanted frame arrives for `wait` seconds."""
    try:
        await wait_for(ws, wanted, wait)
    except TimeoutError:
        return True
    return False


def channel_event(id: str, type: str) -> Callable[[Frame], bool]:
    return lambda f: f["type"] == "channel" and f["body"]["id"] == id and f["body"]["type"] == type


def post(user: MkUser, text: str, **extra: Any) -> dict[str, Any]:
    return dict(user.mk("notes/create", {"text": text, **extra})["createdNote"])


def run(scenario: Any) -> Any:
    return asyncio.run(scenario)


def test_connect_acks_with_pong_and_ignores_unknown_channels(server: RunningServer) -> None:
    me = mk_user(server)

    async def scenario() -> None:
        async with connect(ws_url(server, me.token)) as ws:
            await open_channel(ws, "main")
            await send(ws, "connect", {"channel": "noSuchChannel", "id": "x", "pong": True})
            await send(ws, "connect", {"channel": "main", "id": "again", "pong": True})  # shared
            await send(ws, "connect", {"channel": "localTimeline", "id": "nopong"})
            await send(ws, "connect", {"channel": "globalTimeline", "id": "g", "pong": True})
            frame = await wait_for(ws, lambda f: f["type"] == "connected")
            assert frame["body"] == {"id": "g"}  # nothing for the unknown or repeated ones
            await send(ws, "disconnect", {"id": "g"})
            await send(ws, "nonsense", None)
            await ws.send("not json")
            await open_channel(ws, "hybridTimeline")  # still alive

    run(scenario())


def test_main_hears_a_follow_and_a_mention(server: RunningServer) -> None:
    me, other = mk_user(server), mk_user(server)

    async def scenario() -> None:
        async with connect(ws_url(server, me.token)) as ws:
            main = await open_channel(ws, "main")
            other.mk("following/create", {"userId": me.id})
            got = await wait_for(ws, channel_event(main, "notification"))
            assert got["body"]["body"]["type"] == "follow"
            assert got["body"]["body"]["userId"] == other.id
            followed = await wait_for(ws, channel_event(main, "followed"))
            assert followed["body"]["body"]["id"] == other.id
            note = post(other, f"hello @{me.username}")
            seen: dict[str, Any] = {}
            while len(seen) < 2:  # the notification and the mention event, in either order
                got = await wait_for(ws, lambda f: f["type"] == "channel")
                assert got["body"]["id"] == main
                seen[got["body"]["type"]] = got["body"]["body"]
            assert seen["mention"]["id"] == note["id"]
            assert seen["notification"]["type"] == "mention"
            assert seen["notification"]["note"]["id"] == note["id"]
            me.mk("following/create", {"userId": other.id})
            follow = await wait_for(ws, channel_event(main, "follow"))
            assert follow["body"]["body"]["id"] == other.id
            me.mk("i/update", {"name": "Streamed"})
            updated = await wait_for(ws, channel_event(main, "meUpdated"))
            assert updated["body"]["body"]["name"] == "Streamed"

    run(scenario())


def test_home_timeline_gets_a_followees_note_within_a_second(server: RunningServer) -> None:
    me, author = mk_user(server), mk_user(server)
    me.mk("following/create", {"userId": author.id})

    async def scenario() -> None:
        async with connect(ws_url(server, me.token)) as ws:
            home = await open_channel(ws, "homeTimeline")
            note = post(author, "for my followers", visibility="followers")
            started = time.monotonic()
            got = await wait_for(ws, channel_event(home, "note"), within=1)
            assert time.monotonic() - started < 1
            assert got["body"]["body"]["id"] == note["id"]
            assert got["body"]["body"]["user"]["id"] == author.id
            mine = post(me, "my own")
            got = await wait_for(ws, channel_event(home, "note"))
            assert got["body"]["body"]["id"] == mine["id"]

    run(scenario())


def test_local_timeline_gets_public_notes_even_anonymously(server: RunningServer) -> None:
    author = mk_user(server)

    async def scenario() -> None:
        async with connect(ws_url(server)) as ws:
            local = await open_channel(ws, "localTimeline")
            await send(ws, "connect", {"channel": "main", "id": "m", "pong": True})
            await send(ws, "connect", {"channel": "homeTimeline", "id": "h", "pong": True})
            post(author, "not for the public", visibility="home")
            note = post(author, "hello world")
            got = await wait_for(ws, lambda f: f["type"] in ("channel", "connected"))
            assert got["type"] == "channel"  # main and homeTimeline were refused
            assert got["body"]["id"] == local
            assert got["body"]["body"]["id"] == note["id"]

    run(scenario())


def test_a_blocked_or_muted_authors_notes_are_not_streamed(server: RunningServer) -> None:
    me, muted, blocked, fine = mk_user(server), mk_user(server), mk_user(server), mk_user(server)
    me.mk("mute/create", {"userId": muted.id})
    me.mk("blocking/create", {"userId": blocked.id})

    async def scenario() -> None:
        async with connect(ws_url(server, me.token)) as ws:
            local = await open_channel(ws, "localTimeline")
            post(muted, "muted")
            post(blocked, "blocked")
            note = post(fine, "fine")
            got = await wait_for(ws, channel_event(local, "note"))
            assert got["body"]["body"]["id"] == note["id"]  # the others never came first
            assert await silent(ws, channel_event(local, "note"), 0.5)

    run(scenario())


def test_at_most_32_channels(server: RunningServer) -> None:
    me = mk_user(server)

    async def scenario() -> None:
        async with connect(ws_url(server, me.token)) as ws:
            for n in range(33):
                params = {"q": [[f"tag{n}"]]}
                await send(
                    ws,
                    "connect",
                    {"channel": "hashtag", "id": f"c{n}", "params": params, "pong": True},
                )
            acks: list[str] = []
            while True:
                try:
                    frame = await wait_for(ws, lambda f: f["type"] == "connected", 1)
                except TimeoutError:
                    break
                acks.append(frame["body"]["id"])
            assert acks == [f"c{n}" for n in range(32)]
            author = mk_user(server)
            note = post(author, "#tag5 tagged")
            got = await wait_for(ws, channel_event("c5", "note"))
            assert got["body"]["body"]["id"] == note["id"]

    run(scenario())


def test_a_bad_token_is_refused_with_401(server: RunningServer) -> None:
    async def scenario() -> None:
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with connect(ws_url(server, "not-a-token")):
                pass
        response = refused.value.response
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == (
            'Bearer realm="Misskey", error="invalid_token", '
            'error_description="Failed to authenticate"'
        )
        headers = {"Authorization": "Bearer not-a-token-either"}
        with pytest.raises(websockets.InvalidStatus) as refused:
            await connect(ws_url(server), additional_headers=headers)
        assert refused.value.response.status_code == 401

    run(scenario())


def test_bearer_token_and_app_token_permissions(server: RunningServer) -> None:
    me = mk_user(server)
    reader = app_token(me, ["read:account"])
    writer = app_token(me, ["write:notes"])

    async def scenario() -> None:
        headers = {"Authorization": f"Bearer {me.token}"}
        async with connect(ws_url(server), additional_headers=headers) as ws:
            await open_channel(ws, "main")
        async with connect(ws_url(server, reader)) as ws:
            await open_channel(ws, "main")
        async with connect(ws_url(server, writer)) as ws:
            await send(ws, "connect", {"channel": "main", "id": "m", "pong": True})
            await open_channel(ws, "localTimeline")  # the first ack is this one's

    run(scenario())


def test_captured_note_hears_reactions_and_deletion(server: RunningServer) -> None:
    me, other = mk_user(server), mk_user(server)
    note = post(me, "react to me")

    async def scenario() -> None:
        async with connect(ws_url(server, me.token)) as ws:
            await open_channel(ws, "main")  # the capture needs no channel; a ready socket
            await send(ws, "subNote", {"id": note["id"]})
            await asyncio.sleep(0.2)
            other.mk("notes/reactions/create", {"noteId": note["id"], "reaction": "👍"})
            got = await wait_for(ws, lambda f: f["type"] == "noteUpdated")
            assert got["body"]["id"] == note["id"]
            assert got["body"]["type"] == "reacted"
            assert got["body"]["body"]["reaction"] == "👍"
            assert got["body"]["body"]["userId"] == other.id
            other.mk("notes/reactions/delete", {"noteId": note["id"]})
            got = await wait_for(ws, lambda f: f["type"] == "noteUpdated")
            assert got["body"]["type"] == "unreacted"
            me.mk("notes/delete", {"noteId": note["id"]})
            got = await wait_for(ws, lambda f: f["type"] == "noteUpdated")
            assert got["body"]["type"] == "deleted"

    run(scenario())


def test_a_suspended_account_is_refused_with_403(server: RunningServer) -> None:
    me = mk_user(server)
    tandem(server, "admin", "suspend", me.username)

    async def scenario() -> None:
        with pytest.raises(websockets.InvalidStatus) as refused:
            await connect(ws_url(server, me.token))
        assert refused.value.response.status_code == 403

    run(scenario())


def test_main_hears_renotes_unfollows_and_read_all(server: RunningServer) -> None:
    me, other = mk_user(server), mk_user(server)
    mine = post(me, "renote me")
    me.mk("following/create", {"userId": other.id})

    async def scenario() -> None:
        async with connect(ws_url(server, me.token)) as ws:
            main = await open_channel(ws, "main")
            renote = other.mk("notes/create", {"renoteId": mine["id"]})["createdNote"]
            got = await wait_for(ws, channel_event(main, "renote"))
            assert got["body"]["body"]["id"] == renote["id"]
            assert got["body"]["body"]["renoteId"] == mine["id"]
            me.mk("following/delete", {"userId": other.id})
            got = await wait_for(ws, channel_event(main, "unfollow"))
            assert got["body"]["body"]["id"] == other.id
            await send(ws, "readNotification", None)
            await wait_for(ws, channel_event(main, "readAllNotifications"))
            assert me.mk("i")["hasUnreadNotification"] is False

    run(scenario())


def test_hybrid_hashtag_and_list_channels(server: RunningServer) -> None:
    me, followed, stranger = mk_user(server), mk_user(server), mk_user(server)
    replier = mk_user(server)
    me.mk("following/create", {"userId": followed.id})
    listed = me.mk("users/lists/create", {"name": "streamed"})
    me.mk("users/lists/push", {"listId": listed["id"], "userId": followed.id})
    tag = f"t{uuid.uuid4().hex[:8]}"

    async def scenario() -> None:
        async with connect(ws_url(server, me.token)) as ws:
            hybrid = await open_channel(ws, "hybridTimeline")
            tagged = await open_channel(ws, "hashtag", {"q": [[tag]]})
            in_list = await open_channel(ws, "userList", {"listId": listed["id"]})
            await send(ws, "connect", {"channel": "userList", "id": "x", "pong": True})
            quiet = post(followed, "followers only", visibility="followers")
            seen: dict[str, str] = {}
            while len(seen) < 2:
                got = await wait_for(ws, lambda f: f["type"] == "channel")
                assert got["body"]["body"]["id"] == quiet["id"]
                seen[got["body"]["id"]] = got["body"]["type"]
            assert seen == {hybrid: "note", in_list: "note"}
            note = post(stranger, f"about #{tag}")
            seen = {}
            while len(seen) < 2:
                got = await wait_for(ws, lambda f: f["type"] == "channel")
                assert got["body"]["body"]["id"] == note["id"]
                seen[got["body"]["id"]] = got["body"]["type"]
            assert seen == {hybrid: "note", tagged: "note"}
            # A reply to someone else stays out of the local part of the hybrid timeline.
            post(replier, "a reply", replyId=note["id"])
            assert await silent(ws, channel_event(hybrid, "note"))

    run(scenario())
