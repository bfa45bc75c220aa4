"""Chat over Misskey's streaming API: the `chatUser` and `chatRoom` channels and the main
channel's `newChatMessage`, with messages sent through the HTTP API."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from websockets.asyncio.client import connect

from support.misskey import MkUser, app_token, mk_user
from support.server import RunningServer
from test_misskey_streaming import channel_event, open_channel, run, send, silent, wait_for, ws_url


def _friends(a: MkUser, b: MkUser) -> None:
    a.mk("following/create", {"userId": b.id})
    b.mk("following/create", {"userId": a.id})


def _room_with(owner: MkUser, *members: MkUser) -> dict[str, Any]:
    room = dict(owner.mk("chat/rooms/create", {"name": "standup"}))
    for member in members:
        owner.mk("chat/rooms/invitations/create", {"roomId": room["id"], "userId": member.id})
        member.mk("chat/rooms/join", {"roomId": room["id"]})
    return room


def test_a_dm_reaches_the_recipients_chat_user_channel_within_a_second(
    server: RunningServer,
) -> None:
    alice, bob = mk_user(server), mk_user(server)
    _friends(alice, bob)

    async def scenario() -> None:
        async with connect(ws_url(server, bob.token)) as ws:
            channel = await open_channel(ws, "chatUser", {"otherId": alice.id})
            sent_at = time.monotonic()
            sent = alice.mk("chat/messages/create-to-user", {"toUserId": bob.id, "text": "hi"})
            got = await wait_for(ws, channel_event(channel, "message"), within=1)
            assert time.monotonic() - sent_at < 1
            message = got["body"]["body"]
            assert message["id"] == sent["id"]
            assert message["text"] == "hi"
            assert message["fromUserId"] == alice.id
            assert message["toUserId"] == bob.id
            bob.mk("chat/messages/react", {"messageId": sent["id"], "reaction": ":heart:"})
            reacted = await wait_for(ws, channel_event(channel, "react"))
            assert reacted["body"]["body"] == {"messageId": sent["id"], "reaction": "❤"}
            alice.mk("chat/messages/delete", {"messageId": sent["id"]})
            deleted = await wait_for(ws, channel_event(channel, "deleted"))
            assert deleted["body"]["body"] == sent["id"]

    run(scenario())


def test_a_room_message_reaches_every_member_and_no_outsider(server: RunningServer) -> None:
    owner, member, other_member, outsider = (mk_user(server) for _ in range(4))
    room = _room_with(owner, member, other_member)

    async def scenario() -> None:
        async with (
            connect(ws_url(server, owner.token)) as owner_ws,
            connect(ws_url(server, member.token)) as member_ws,
            connect(ws_url(server, other_member.token)) as other_ws,
            connect(ws_url(server, outsider.token)) as outsider_ws,
        ):
            listening = [
                (ws, await open_channel(ws, "chatRoom", {"roomId": room["id"]}))
                for ws in (owner_ws, member_ws, other_ws)
            ]
            # An outsider's chatRoom channel is not connected (no `connected` ack).
            await send(
                outsider_ws,
                "connect",
                {
                    "channel": "chatRoom",
                    "id": "out",
                    "params": {"roomId": room["id"]},
                    "pong": True,
                },
            )
            sent = member.mk(
                "chat/messages/create-to-room", {"toRoomId": room["id"], "text": "standup at 10"}
            )
            for ws, channel in listening:
                got = await wait_for(ws, channel_event(channel, "message"), within=1)
                assert got["body"]["body"]["id"] == sent["id"]
                assert got["body"]["body"]["fromUser"]["id"] == member.id
                assert got["body"]["body"]["toRoomId"] == room["id"]
            assert await silent(outsider_ws, lambda f: f["type"] in ("connected", "channel"))
            owner.mk("chat/messages/react", {"messageId": sent["id"], "reaction": "👍"})
            got = await wait_for(member_ws, channel_event(listening[1][1], "react"))
            assert got["body"]["body"]["user"]["id"] == owner.id
            assert got["body"]["body"]["reaction"] == "👍"

    run(scenario())


def test_a_member_who_left_hears_no_more(server: RunningServer) -> None:
    owner, member = mk_user(server), mk_user(server)
    room = _room_with(owner, member)

    async def scenario() -> None:
        async with connect(ws_url(server, member.token)) as ws:
            channel = await open_channel(ws, "chatRoom", {"roomId": room["id"]})
            member.mk("chat/rooms/leave", {"roomId": room["id"]})
            owner.mk("chat/messages/create-to-room", {"toRoomId": room["id"], "text": "bye"})
            assert await silent(ws, channel_event(channel, "message"))

    run(scenario())


def test_unread_message_comes_on_main_and_read_over_the_stream_clears_it(
    server: RunningServer,
) -> None:
    alice, bob = mk_user(server), mk_user(server)
    _friends(alice, bob)

    async def scenario() -> None:
        async with connect(ws_url(server, bob.token)) as ws:
            main = await open_channel(ws, "main")
            sent = alice.mk("chat/messages/create-to-user", {"toUserId": bob.id, "text": "ping"})
            got = await wait_for(ws, channel_event(main, "newChatMessage"), within=10)
            assert got["body"]["body"]["id"] == sent["id"]
            assert got["body"]["body"]["fromUser"]["id"] == alice.id
            assert bob.mk("i")["hasUnreadChatMessages"] is True
            channel = await open_channel(ws, "chatUser", {"otherId": alice.id})
            await send(ws, "ch", {"id": channel, "type": "read", "body": {"id": sent["id"]}})
            for _ in range(100):  # the stream reads it in its own time
                if not bob.mk("i")["hasUnreadChatMessages"]:
                    break
                await asyncio.sleep(0.05)
            assert bob.mk("i")["hasUnreadChatMessages"] is False

    run(scenario())


def test_read_chat_is_needed_for_the_chat_channels(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    token = app_token(bob, ["read:account"])

    async def scenario() -> None:
        async with connect(ws_url(server, token)) as ws:
            await send(
                ws,
                "connect",
                {"channel": "chatUser", "id": "c", "params": {"otherId": alice.id}, "pong": True},
            )
            assert await silent(ws, lambda f: f["type"] == "connected")

    run(scenario())
