"""Exports and imports: real background jobs writing Drive files in Misskey's formats."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from support.misskey import Misskey, MkUser, mk_user
from support.server import RunningServer


def wait_for_notifications(user: MkUser, kind: str, count: int, timeout: float = 60) -> list[Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [
            n
            for n in user.mk("i/notifications", {"markAsRead": False, "limit": 100})
            if n["type"] == kind
        ]
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no {kind} notification within {timeout}s")


def exported(user: MkUser, what: str, entity: str, **params: Any) -> tuple[dict[str, Any], bytes]:
    """Run one export; return its Drive file and content."""
    before = len(wait_for_notifications(user, "exportCompleted", 0))
    user.mk(f"i/export-{what}", params)
    done = wait_for_notifications(user, "exportCompleted", before + 1)[0]
    assert done["exportedEntity"] == entity
    file = user.mk("drive/files/show", {"fileId": done["fileId"]})
    return file, httpx.get(file["url"]).content


def imported(user: MkUser, what: str, file_id: str, **params: Any) -> dict[str, Any]:
    before = len(wait_for_notifications(user, "app", 0))
    user.mk(f"i/import-{what}", {"fileId": file_id, **params})
    return dict(wait_for_notifications(user, "app", before + 1)[0])


def test_csv_exports(server: RunningServer) -> None:
    owner = mk_user(server)
    friends = [mk_user(server) for _ in range(3)]
    host = server.settings.domain
    for friend in friends:
        owner.mk("following/create", {"userId": friend.id})
    owner.mk("mute/create", {"userId": friends[0].id})
    owner.mk("blocking/create", {"userId": friends[2].id})  # ends that follow
    the_list = owner.mk("users/lists/create", {"name": "Pals"})
    owner.mk("users/lists/push", {"listId": the_list["id"], "userId": friends[1].id})
    file, content = exported(owner, "following", "following")
    assert file["type"] == "text/csv"
    assert file["name"].startswith("following-")
    assert file["name"].endswith(".csv")
    assert content.decode().splitlines() == [f"{f.username}@{host}" for f in friends[:2]]
    _, content = exported(owner, "following", "following", excludeMuting=True)
    assert content.decode().splitlines() == [f"{friends[1].username}@{host}"]
    _, content = exported(owner, "blocking", "blocking")
    assert content.decode() == f"{friends[2].username}@{host}\n"
    _, content = exported(owner, "mute", "muting")
    assert content.decode() == f"{friends[0].username}@{host}\n"
    _, content = exported(owner, "user-lists", "userList")
    assert content.decode() == f"Pals,{friends[1].username}@{host}\n"


def test_json_exports(server: RunningServer) -> None:
    owner, author = mk_user(server), mk_user(server)
    mine = [owner.mk("notes/create", {"text": f"mine {i}"})["createdNote"] for i in range(3)]
    theirs = author.mk("notes/create", {"text": "theirs", "cw": "cw!"})["createdNote"]
    owner.mk("notes/favorites/create", {"noteId": theirs["id"]})
    owner.mk(
        "antennas/create",
        {
            "name": "Cats",
            "src": "all",
            "keywords": [["cat"]],
            "excludeKeywords": [["dog"]],
            "users": [],
            "caseSensitive": True,
            "withReplies": False,
            "withFile": False,
        },
    )
    clip = owner.mk("clips/create", {"name": "Saved", "description": "for later"})
    owner.mk("clips/add-note", {"clipId": clip["id"], "noteId": theirs["id"]})
    file, content = exported(owner, "notes", "note")
    assert file["type"] == "application/json"
    notes = json.loads(content)
    assert [n["id"] for n in notes] == [n["id"] for n in mine]
    assert notes[0]["text"] == "mine 0"
    assert notes[0]["visibility"] == "public"
    _, content = exported(owner, "favorites", "favorite")
    favorites = json.loads(content)
    assert favorites[0]["note"]["id"] == theirs["id"]
    assert favorites[0]["note"]["cw"] == "cw!"
    assert favorites[0]["note"]["user"]["username"] == author.username
    _, content = exported(owner, "antennas", "antenna")
    antennas = json.loads(content)
    assert antennas[0]["name"] == "Cats"
    assert antennas[0]["keywords"] == [["cat"]]
    assert antennas[0]["caseSensitive"] is True
    _, content = exported(owner, "clips", "clip")
    clips = json.loads(content)
    assert clips[0]["name"] == "Saved"
    assert clips[0]["clipNotes"][0]["note"]["id"] == theirs["id"]
    empty = mk_user(server)
    _, content = exported(empty, "notes", "note")
    assert json.loads(content) == []


def test_import_errors(server: RunningServer) -> None:
    user, other = mk_user(server), mk_user(server)
    empty = user.mk.upload(b"", "empty.csv", "text/csv")
    user.mk.error("i/import-following", {"fileId": empty["id"]}, 400, "EMPTY_FILE")
    image = user.mk.upload(b"\x89PNG not csv", "x.txt", "text/plain")
    user.mk.error("i/import-blocking", {"fileId": image["id"]}, 400, "UNEXPECTED_FILE_TYPE")
    csv = user.mk.upload(b"a@b\n", "a.csv", "text/csv")
    user.mk.error("i/import-antennas", {"fileId": csv["id"]}, 400, "UNEXPECTED_FILE_TYPE")
    big = user.mk.upload(b"x@y\n" * 20_000, "big.csv", "text/csv")
    user.mk.error("i/import-following", {"fileId": big["id"]}, 400, "TOO_BIG_FILE")
    user.mk.error("i/import-muting", {"fileId": "1"}, 400, "NO_SUCH_FILE")
    theirs = other.mk.upload(b"a@b\n", "a.csv", "text/csv")
    user.mk.error("i/import-muting", {"fileId": theirs["id"]}, 400, "NO_SUCH_FILE")
    broken = user.mk.upload(b"[{]", "antennas.json", "application/json")
    done = imported(user, "antennas", broken["id"])
    assert "not JSON" in done["body"]


def test_mastodon_csv_and_unknown_handles(server: RunningServer) -> None:
    user, friend = mk_user(server), mk_user(server)
    host = server.settings.domain
    csv = (
        "Account address,Show boosts,Notify on new posts,Languages\n"
        f"{friend.username}@{host},true,false,\n"
        "someone@remote.example,true,false,\n"
        f"nobody_here@{host},true,false,\n"
    ).encode()
    file = user.mk.upload(csv, "following_accounts.csv", "text/csv")
    done = imported(user, "following", file["id"], withReplies=True)
    assert done["header"] == "Follows imported"
    assert done["body"] == "1 imported, 2 skipped (unknown or unavailable)."
    assert user.mk("users/relation", {"userId": friend.id})["isFollowing"] is True
    masto = user.mastodon.api.get("/api/v1/notifications").json()
    assert masto[0]["type"] == "import_completed"
    assert masto[0]["account"]["id"] == user.id


def test_antenna_import_with_list(server: RunningServer) -> None:
    user, member = mk_user(server), mk_user(server)
    data = [
        {
            "name": "From my list",
            "src": "list",
            "userListAccts": [f"{member.username}@{server.settings.domain}"],
            "keywords": [],
            "excludeKeywords": [],
            "users": [],
            "caseSensitive": False,
            "withReplies": True,
            "withFile": False,
        },
        {"name": "Words", "src": "all", "keywords": [["tea"]], "excludeKeywords": []},
    ]
    file = user.mk.upload(json.dumps(data).encode(), "antennas.json", "application/json")
    done = imported(user, "antennas", file["id"])
    assert done["body"].startswith("2 imported")
    antennas = {a["name"]: a for a in user.mk("antennas/list")}
    assert antennas["Words"]["keywords"] == [["tea"]]
    list_id = antennas["From my list"]["userListId"]
    assert user.mk("users/lists/show", {"listId": list_id})["userIds"] == [member.id]


@pytest.mark.parametrize("what", ["notes", "following"])
def test_one_export_an_hour(make_server: Any, what: str) -> None:
    server = make_server(endpoint_limit_factor=1)
    user = mk_user(server)
    user.mk(f"i/export-{what}")
    Misskey(server, user.token).error(f"i/export-{what}", {}, 429, "RATE_LIMIT_EXCEEDED")
