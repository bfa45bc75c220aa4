"""Misskey chat rooms: chat/rooms/*, invitations, room messages, limits, over HTTP."""

from __future__ import annotations

from typing import Any

import httpx

from support.images import png
from support.misskey import MkUser, mk_user
from support.server import RunningServer


def _room(owner: MkUser, name: str = "Project Alpha") -> dict[str, Any]:
    return dict(owner.mk("chat/rooms/create", {"name": name, "description": "Coordination"}))


def _member(owner: MkUser, room: dict[str, Any], user: MkUser) -> None:
    owner.mk("chat/rooms/invitations/create", {"roomId": room["id"], "userId": user.id})
    user.mk("chat/rooms/join", {"roomId": room["id"]})


def test_room_lifecycle(server: RunningServer) -> None:
    owner, bob, eve = mk_user(server), mk_user(server), mk_user(server)
    room = _room(owner)
    assert room["ownerId"] == owner.id
    assert room["owner"]["id"] == owner.id
    assert room["isMuted"] is False
    assert room["invitationExists"] is False
    updated = owner.mk("chat/rooms/update", {"roomId": room["id"], "name": "Alpha — Active"})
    assert updated["name"] == "Alpha — Active"
    assert updated["description"] == "Coordination"
    bob.mk.error("chat/rooms/update", {"roomId": room["id"], "name": "x"}, 400, "NO_SUCH_ROOM")
    assert [r["id"] for r in owner.mk("chat/rooms/owned", {})] == [room["id"]]

    bob.mk.error("chat/rooms/join", {"roomId": room["id"]}, 400, "NO_INVITATION")
    invitation = owner.mk("chat/rooms/invitations/create", {"roomId": room["id"], "userId": bob.id})
    assert invitation["userId"] == bob.id
    assert invitation["room"]["id"] == room["id"]
    owner.mk.error("chat/rooms/invitations/create", {"roomId": room["id"], "userId": bob.id},
                   400, "ALREADY_INVITED")  # fmt: skip
    owner.mk.error("chat/rooms/invitations/create", {"roomId": room["id"], "userId": owner.id},
                   400, "CANNOT_INVITE_YOURSELF")  # fmt: skip
    bob.mk.error("chat/rooms/invitations/create", {"roomId": room["id"], "userId": eve.id},
                 400, "NO_SUCH_ROOM")  # fmt: skip
    assert bob.mk("chat/rooms/show", {"roomId": room["id"]})["invitationExists"] is True
    assert [i["id"] for i in bob.mk("chat/rooms/invitations/inbox", {})] == [invitation["id"]]
    outbox = owner.mk("chat/rooms/invitations/outbox", {"roomId": room["id"]})
    assert [i["id"] for i in outbox] == [invitation["id"]]
    notes = bob.mk("i/notifications", {})
    assert notes[0]["type"] == "chatRoomInvitationReceived"
    assert notes[0]["invitation"]["id"] == invitation["id"]
    assert notes[0]["user"]["id"] == owner.id
    for path in ("/api/v1/notifications", "/api/v2/notifications"):  # Misskey's alone
        r = httpx.get(
            server.base_url + path, headers={"Authorization": f"Bearer {bob.mastodon.token}"}
        )
        assert r.status_code == 200, r.text
        listed = r.json() if isinstance(r.json(), list) else r.json()["notification_groups"]
        assert listed == []
    bob.mk("chat/rooms/invitations/ignore", {"roomId": room["id"]})
    assert bob.mk("chat/rooms/invitations/inbox", {}) == []
    bob.mk("chat/rooms/join", {"roomId": room["id"]})  # an ignored invitation still counts
    owner.mk.error("chat/rooms/invitations/create", {"roomId": room["id"], "userId": bob.id},
                   400, "ALREADY_A_MEMBER")  # fmt: skip
    eve.mk.error("chat/rooms/invitations/ignore", {"roomId": room["id"]}, 400, "NO_INVITATION")

    members = owner.mk("chat/rooms/members", {"roomId": room["id"]})
    assert [m["userId"] for m in members] == [bob.id]
    assert "room" not in members[0]
    assert members[0]["user"]["id"] == bob.id
    eve.mk.error("chat/rooms/members", {"roomId": room["id"]}, 400, "NO_SUCH_ROOM")
    joined = bob.mk("chat/rooms/joining", {})
    assert [j["roomId"] for j in joined] == [room["id"]]
    assert "user" not in joined[0]

    owner.mk.error("chat/rooms/leave", {"roomId": room["id"]}, 400, "OWNER_CANNOT_LEAVE")
    owner.mk.error("chat/rooms/mute", {"roomId": room["id"], "mute": True}, 400,
                   "OWNER_CANNOT_MUTE")  # fmt: skip
    eve.mk.error("chat/rooms/leave", {"roomId": room["id"]}, 403, "NOT_A_ROOM_MEMBER")
    bob.mk("chat/rooms/mute", {"roomId": room["id"], "mute": True})
    assert bob.mk("chat/rooms/show", {"roomId": room["id"]})["isMuted"] is True
    bob.mk("chat/rooms/leave", {"roomId": room["id"]})
    assert bob.mk("chat/rooms/joining", {}) == []
    eve.mk.error("chat/rooms/delete", {"roomId": room["id"]}, 400, "NO_SUCH_ROOM")
    owner.mk("chat/rooms/delete", {"roomId": room["id"]})
    owner.mk.error("chat/rooms/show", {"roomId": room["id"]}, 400, "NO_SUCH_ROOM")


def test_room_messages_and_read_state(server: RunningServer) -> None:
    owner, bob, carol, eve = (mk_user(server) for _ in range(4))
    room = _room(owner)
    _member(owner, room, bob)
    _member(owner, room, carol)
    carol.mk("chat/rooms/mute", {"roomId": room["id"], "mute": True})
    body = {"toRoomId": room["id"], "text": "standup in 5"}
    eve.mk.error("chat/messages/create-to-room", body, 403, "NOT_A_ROOM_MEMBER")
    eve.mk.error("chat/messages/create-to-room", {**body, "toRoomId": "999"}, 400, "NO_SUCH_ROOM")
    bob.mk.error("chat/messages/create-to-room", {"toRoomId": room["id"]}, 400, "CONTENT_REQUIRED")
    sent = bob.mk("chat/messages/create-to-room", body)
    assert sent["toRoomId"] == room["id"]
    assert sent["fromUser"]["id"] == bob.id
    assert owner.mk("i")["hasUnreadChatMessages"] is True
    assert carol.mk("i")["hasUnreadChatMessages"] is False  # muted
    assert bob.mk("i")["hasUnreadChatMessages"] is False  # the sender
    history = owner.mk("chat/history", {"room": True})
    assert [h["id"] for h in history] == [sent["id"]]
    assert history[0]["isRead"] is False
    assert history[0]["toRoom"]["id"] == room["id"]
    timeline = owner.mk("chat/messages/room-timeline", {"roomId": room["id"]})
    assert [m["id"] for m in timeline] == [sent["id"]]
    assert timeline[0]["toRoomId"] == room["id"]
    assert owner.mk("i")["hasUnreadChatMessages"] is False
    eve.mk.error("chat/messages/room-timeline", {"roomId": room["id"]}, 400, "NO_SUCH_ROOM")
    owner.mk("chat/messages/react", {"messageId": sent["id"], "reaction": ":thumbsup:"})
    shown = carol.mk("chat/messages/show", {"messageId": sent["id"]})
    assert shown["reactions"][0]["reaction"] == "\U0001f44d"
    found = carol.mk("chat/messages/search", {"query": "standup", "roomId": room["id"]})
    assert [m["id"] for m in found] == [sent["id"]]
    eve.mk.error("chat/messages/search", {"query": "standup", "roomId": room["id"]}, 400,
                 "NO_SUCH_ROOM")  # fmt: skip
    assert eve.mk("chat/messages/search", {"query": "standup"}) == []


def test_member_limit(server: RunningServer) -> None:
    owner = mk_user(server)
    room = _room(owner)
    users = [mk_user(server) for _ in range(51)]
    for user in users[:50]:
        _member(owner, room, user)
    last = users[50]
    owner.mk.error("chat/rooms/invitations/create", {"roomId": room["id"], "userId": last.id},
                   400, "ROOM_IS_FULL")  # fmt: skip
    members = owner.mk("chat/rooms/members", {"roomId": room["id"], "limit": 100})
    assert len(members) == 50


def test_reaction_limit(server: RunningServer) -> None:
    owner = mk_user(server)
    room = _room(owner)
    sent = owner.mk("chat/messages/create-to-room", {"toRoomId": room["id"], "text": "react!"})
    reactors = [mk_user(server) for _ in range(3)]
    for user in reactors:
        _member(owner, room, user)
    emoji = [chr(c) for c in range(0x1F600, 0x1F650)]  # 80 emoji
    for i, reaction in enumerate(emoji):
        reactors[i % 2].mk("chat/messages/react", {"messageId": sent["id"], "reaction": reaction})
    for reaction in emoji[:20]:
        reactors[2].mk("chat/messages/react", {"messageId": sent["id"], "reaction": reaction})
    reactors[2].mk.error(
        "chat/messages/react", {"messageId": sent["id"], "reaction": emoji[30]}, 400,
        "TOO_MANY_REACTIONS",
    )  # fmt: skip


def test_room_files_and_paging(server: RunningServer) -> None:
    owner, bob = mk_user(server), mk_user(server)
    room = _room(owner)
    _member(owner, room, bob)
    theirs = bob.mk.upload(png(), "b.png", "image/png")
    owner.mk.error("chat/messages/create-to-room", {"toRoomId": room["id"],
                   "fileId": theirs["id"]}, 400, "NO_SUCH_FILE")  # fmt: skip
    sent = bob.mk("chat/messages/create-to-room", {"toRoomId": room["id"], "fileId": theirs["id"]})
    assert sent["file"]["id"] == theirs["id"]
    assert sent["text"] is None
    ids = [sent["id"]]
    ids += [
        owner.mk("chat/messages/create-to-room", {"toRoomId": room["id"], "text": f"m{i}"})["id"]
        for i in range(4)
    ]
    page = {"roomId": room["id"], "limit": 2}
    newest = bob.mk("chat/messages/room-timeline", page)
    assert [m["id"] for m in newest] == [ids[4], ids[3]]
    older = bob.mk("chat/messages/room-timeline", {**page, "untilId": ids[3]})
    assert [m["id"] for m in older] == [ids[2], ids[1]]
    after = bob.mk("chat/messages/room-timeline", {**page, "sinceId": ids[0]})
    assert [m["id"] for m in after] == [ids[1], ids[2]]
    rooms = [_room(owner, f"room {i}")["id"] for i in range(3)]
    owned = owner.mk("chat/rooms/owned", {"limit": 2})
    assert [r["id"] for r in owned] == [rooms[2], rooms[1]]
    owned = owner.mk("chat/rooms/owned", {"sinceId": room["id"], "limit": 2})
    assert [r["id"] for r in owned] == [rooms[0], rooms[1]]
