"""Antennas, clips and user lists (user lists are Mastodon lists)."""

from __future__ import annotations

from typing import Any

from support.misskey import mk_user
from support.server import RunningServer

ANTENNA: dict[str, Any] = {
    "src": "all",
    "keywords": [["cats"], ["dogs", "parks"]],
    "excludeKeywords": [],
    "users": [],
    "caseSensitive": False,
    "withReplies": False,
    "withFile": False,
}


def test_antennas(server: RunningServer) -> None:
    user = mk_user(server)
    made = user.mk("antennas/create", {"name": "Pets", **ANTENNA})
    assert made["name"] == "Pets"
    assert made["keywords"] == [["cats"], ["dogs", "parks"]]
    assert made["src"] == "all"
    assert made["isActive"] is True
    assert [a["id"] for a in user.mk("antennas/list")] == [made["id"]]
    user.mk.error(
        "antennas/create", {"name": "Empty", **ANTENNA, "keywords": []}, 400, "EMPTY_KEYWORD"
    )
    user.mk.error(
        "antennas/create",
        {"name": "L", **ANTENNA, "src": "list", "userListId": "1"},
        400,
        "NO_SUCH_USER_LIST",
    )
    error = user.mk.error(
        "antennas/create", {"name": "x", **ANTENNA, "src": "galaxy"}, 400, "INVALID_PARAM"
    )
    assert error["info"]["param"] == "src"
    the_list = user.mk("users/lists/create", {"name": "Friends"})
    listed = user.mk(
        "antennas/create",
        {"name": "From list", **ANTENNA, "src": "list", "userListId": the_list["id"]},
    )
    assert listed["userListId"] == the_list["id"]
    for i in range(3):
        user.mk("antennas/create", {"name": f"more {i}", **ANTENNA})
    user.mk.error("antennas/create", {"name": "sixth", **ANTENNA}, 400, "TOO_MANY_ANTENNAS")
    user.mk("antennas/delete", {"antennaId": made["id"]})
    assert made["id"] not in [a["id"] for a in user.mk("antennas/list")]
    user.mk.error("antennas/delete", {"antennaId": made["id"]}, 400, "NO_SUCH_ANTENNA")
    other = mk_user(server)
    other.mk.error("antennas/delete", {"antennaId": listed["id"]}, 400, "NO_SUCH_ANTENNA")


def test_clips(server: RunningServer) -> None:
    user, author = mk_user(server), mk_user(server)
    clip = user.mk("clips/create", {"name": "Good reads", "description": "keep", "isPublic": True})
    assert clip["name"] == "Good reads"
    assert clip["description"] == "keep"
    assert clip["isPublic"] is True
    assert clip["user"]["id"] == user.id
    assert clip["lastClippedAt"] is None
    note = author.mk("notes/create", {"text": "clip me"})["createdNote"]
    user.mk("clips/add-note", {"clipId": clip["id"], "noteId": note["id"]})
    user.mk.error(
        "clips/add-note", {"clipId": clip["id"], "noteId": note["id"]}, 400, "ALREADY_CLIPPED"
    )
    user.mk.error("clips/add-note", {"clipId": clip["id"], "noteId": "1"}, 400, "NO_SUCH_NOTE")
    user.mk.error("clips/add-note", {"clipId": "1", "noteId": note["id"]}, 400, "NO_SUCH_CLIP")
    author.mk.error(
        "clips/add-note", {"clipId": clip["id"], "noteId": note["id"]}, 400, "NO_SUCH_CLIP"
    )
    listed = user.mk("clips/list")
    assert [c["id"] for c in listed] == [clip["id"]]
    assert listed[0]["lastClippedAt"] is not None
    for i in range(9):
        user.mk("clips/create", {"name": f"c{i}"})
    user.mk.error("clips/create", {"name": "eleventh"}, 400, "TOO_MANY_CLIPS")
    assert len(user.mk("clips/list", {"limit": 3})) == 3


def test_user_lists_are_mastodon_lists(server: RunningServer) -> None:
    user, friend, blocker = mk_user(server), mk_user(server), mk_user(server)
    made = user.mk("users/lists/create", {"name": "Close friends"})
    assert made["name"] == "Close friends"
    assert made["userIds"] == []
    user.mk("users/lists/push", {"listId": made["id"], "userId": friend.id})
    user.mk.error(
        "users/lists/push", {"listId": made["id"], "userId": friend.id}, 400, "ALREADY_ADDED"
    )
    user.mk.error("users/lists/push", {"listId": made["id"], "userId": "1"}, 400, "NO_SUCH_USER")
    user.mk.error("users/lists/push", {"listId": "1", "userId": friend.id}, 400, "NO_SUCH_LIST")
    blocker.mk("blocking/create", {"userId": user.id})
    user.mk.error(
        "users/lists/push",
        {"listId": made["id"], "userId": blocker.id},
        400,
        "YOU_HAVE_BEEN_BLOCKED",
    )
    shown = user.mk("users/lists/show", {"listId": made["id"]})
    assert shown["userIds"] == [friend.id]
    # Mastodon: the same list, the same member (no follow needed when added from Misskey).
    api = user.mastodon.api
    lists = api.get("/api/v1/lists").json()
    assert [(x["id"], x["title"]) for x in lists] == [(made["id"], "Close friends")]
    members = api.get(f"/api/v1/lists/{made['id']}/accounts").json()
    assert [m["id"] for m in members] == [friend.id]
    api.put(f"/api/v1/lists/{made['id']}", data={"title": "Renamed"})
    assert user.mk("users/lists/list")[0]["name"] == "Renamed"
    user.mk("users/lists/pull", {"listId": made["id"], "userId": friend.id})
    assert api.get(f"/api/v1/lists/{made['id']}/accounts").json() == []
    user.mk.error(
        "users/lists/pull", {"listId": made["id"], "userId": friend.id}, 400, "NOT_IN_LIST"
    )
    user.mk.error("users/lists/pull", {"listId": made["id"], "userId": "1"}, 400, "NO_SUCH_USER")
    friend.mk.error("users/lists/show", {"listId": made["id"]}, 400, "NO_SUCH_LIST")
    assert friend.mk("users/lists/list", {"userId": user.id}) == []
    user.mk("users/lists/delete", {"listId": made["id"]})
    assert api.get("/api/v1/lists").json() == []
