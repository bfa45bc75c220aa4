"""notes/create|show|delete, favorites (Mastodon bookmarks), i/favorites paging, notifications."""

from __future__ import annotations

import time

import httpx

from support.images import png
from support.misskey import Misskey, MkUser, mk_user
from support.server import RunningServer


def test_create_show_delete(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    photo = alice.mk.upload(png(), "p.png", "image/png")
    created = alice.mk(
        "notes/create",
        {"text": f"hi @{bob.username} #Tandem", "cw": "careful", "fileIds": [photo["id"]]},
    )["createdNote"]
    assert created["text"] == f"hi @{bob.username} #Tandem"
    assert created["cw"] == "careful"
    assert created["visibility"] == "public"
    assert created["fileIds"] == [photo["id"]]
    assert created["files"][0]["id"] == photo["id"]
    assert created["tags"] == ["tandem"]
    assert created["mentions"] == [bob.id]
    assert created["user"]["id"] == alice.id
    shown = Misskey(server)("notes/show", {"noteId": created["id"]})
    assert shown["id"] == created["id"]
    # The same post through Mastodon.
    status = httpx.get(f"{server.base_url}/api/v1/statuses/{created['id']}").json()
    assert status["spoiler_text"] == "careful"
    assert status["media_attachments"][0]["id"] == photo["id"]
    reply = bob.mk("notes/create", {"text": "yo", "replyId": created["id"]})["createdNote"]
    assert reply["replyId"] == created["id"]
    renote = bob.mk("notes/create", {"renoteId": created["id"]})["createdNote"]
    assert renote["renoteId"] == created["id"]
    assert renote["renote"]["id"] == created["id"]
    home = alice.mk("notes/create", {"text": "quiet", "visibility": "home"})["createdNote"]
    assert home["visibility"] == "home"
    assert httpx.get(f"{server.base_url}/api/v1/statuses/{home['id']}").json()["visibility"] == (
        "unlisted"
    )
    direct = alice.mk(
        "notes/create",
        {"text": "just you", "visibility": "specified", "visibleUserIds": [bob.id]},
    )["createdNote"]
    assert direct["visibleUserIds"] == [bob.id]
    assert bob.mk("notes/show", {"noteId": direct["id"]})["text"] == "just you"
    mk_user(server).mk.error("notes/show", {"noteId": direct["id"]}, 400, "NO_SUCH_NOTE")
    alice.mk("notes/delete", {"noteId": created["id"]})
    Misskey(server).error("notes/show", {"noteId": created["id"]}, 400, "NO_SUCH_NOTE")


def test_create_errors(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    alice.mk.error("notes/create", {}, 400, "CONTENT_REQUIRED")
    alice.mk.error("notes/create", {"text": "x", "replyId": "1"}, 400, "NO_SUCH_REPLY_TARGET")
    alice.mk.error("notes/create", {"renoteId": "1"}, 400, "NO_SUCH_RENOTE_TARGET")
    alice.mk.error("notes/create", {"text": "x", "channelId": "1"}, 400, "NO_SUCH_CHANNEL")
    theirs = bob.mk.upload(png(), "b.png", "image/png")
    alice.mk.error("notes/create", {"fileIds": [theirs["id"]]}, 400, "NO_SUCH_FILE")
    alice.mk.error(
        "notes/create",
        {"text": "x", "visibility": "specified", "visibleUserIds": ["1"]},
        400,
        "NO_SUCH_USER",
    )
    note = alice.mk("notes/create", {"text": "original"})["createdNote"]
    quote = alice.mk("notes/create", {"text": "quote", "renoteId": note["id"]})["createdNote"]
    assert quote["renoteId"] == note["id"]
    assert quote["renote"]["id"] == note["id"]
    error = alice.mk.error("notes/create", {"text": "x" * 501}, 400, "INVALID_PARAM")
    assert error["info"]["param"] == "text"
    error = alice.mk.error(
        "notes/create", {"text": "x", "visibility": "secret"}, 400, "INVALID_PARAM"
    )
    assert error["info"]["param"] == "visibility"
    followers_only = alice.mk("notes/create", {"text": "f", "visibility": "followers"})
    bob.mk.error(
        "notes/create",
        {"renoteId": followers_only["createdNote"]["id"]},
        400,
        "NO_SUCH_RENOTE_TARGET",
    )
    bob.mk.error("notes/delete", {"noteId": note["id"]}, 400, "NO_SUCH_NOTE")


def _favorite_ids(user: MkUser, **params: object) -> list[str]:
    return [f["noteId"] for f in user.mk("i/favorites", params)]


def test_favorites_are_mastodon_bookmarks(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    notes = [bob.mk("notes/create", {"text": f"n{i}"})["createdNote"]["id"] for i in range(4)]
    before = int(time.time() * 1000) - 1
    for note_id in notes[:3]:
        alice.mk("notes/favorites/create", {"noteId": note_id})
    alice.mk.error("notes/favorites/create", {"noteId": notes[0]}, 400, "ALREADY_FAVORITED")
    alice.mk.error("notes/favorites/create", {"noteId": "1"}, 400, "NO_SUCH_NOTE")
    alice.mk.error("notes/favorites/delete", {"noteId": notes[3]}, 400, "NOT_FAVORITED")
    alice.mk.error("notes/favorites/delete", {"noteId": "1"}, 400, "NO_SUCH_NOTE")
    favs = alice.mk("i/favorites")
    assert [f["noteId"] for f in favs] == list(reversed(notes[:3]))
    assert favs[0]["note"]["text"] == "n2"
    # Paging by id and by date.
    assert _favorite_ids(alice, limit=1) == [notes[2]]
    assert _favorite_ids(alice, untilId=favs[0]["id"]) == [notes[1], notes[0]]
    assert _favorite_ids(alice, sinceId=favs[2]["id"]) == [notes[1], notes[2]]
    assert _favorite_ids(alice, sinceId=favs[2]["id"], untilId=favs[0]["id"]) == [notes[1]]
    assert _favorite_ids(alice, sinceDate=before) == [notes[0], notes[1], notes[2]]
    assert _favorite_ids(alice, untilDate=before) == []
    # The Mastodon dialect sees them as bookmarks, and can change them.
    api = alice.mastodon.api
    assert [s["id"] for s in api.get("/api/v1/bookmarks").json()] == list(reversed(notes[:3]))
    assert api.get(f"/api/v1/statuses/{notes[0]}").json()["bookmarked"] is True
    assert api.post(f"/api/v1/statuses/{notes[3]}/bookmark").json()["bookmarked"] is True
    assert api.post(f"/api/v1/statuses/{notes[0]}/unbookmark").json()["bookmarked"] is False
    assert set(_favorite_ids(alice)) == {notes[1], notes[2], notes[3]}
    alice.mk("notes/favorites/delete", {"noteId": notes[3]})
    assert set(_favorite_ids(alice)) == {notes[1], notes[2]}


def test_notifications_in_both_dialects(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    bob.mk("following/create", {"userId": alice.id})
    bob.mk("notes/create", {"text": f"hey @{alice.username}"})
    mine = alice.mk("i/notifications", {"markAsRead": False})
    assert [n["type"] for n in mine] == ["mention", "follow"]
    assert mine[1]["user"]["id"] == bob.id
    assert mine[0]["note"]["text"] == f"hey @{alice.username}"
    assert alice.mk("i")["unreadNotificationsCount"] == 2
    only = alice.mk("i/notifications", {"includeTypes": ["follow"]})
    assert [n["type"] for n in only] == ["follow"]
    assert alice.mk("i")["hasUnreadNotification"] is False
    assert alice.mk("i/notifications", {"includeTypes": ["reaction", "pollEnded"]}) == []
    others = alice.mk("i/notifications", {"excludeTypes": ["follow", "reaction"]})
    assert [n["type"] for n in others] == ["mention"]
    masto = alice.mastodon.api.get("/api/v1/notifications").json()
    assert [n["type"] for n in masto] == ["mention", "follow"]
    assert masto[1]["account"]["id"] == bob.id
    one = alice.mastodon.api.get(f"/api/v1/notifications/{masto[0]['id']}").json()
    assert one["status"]["id"] == mine[0]["note"]["id"]
    alice.mastodon.api.post(f"/api/v1/notifications/{masto[0]['id']}/dismiss")
    assert [n["type"] for n in alice.mk("i/notifications")] == ["follow"]
    alice.mastodon.api.post("/api/v1/notifications/clear")
    assert alice.mk("i/notifications") == []
    r = alice.mastodon.api.get(f"/api/v1/notifications/{masto[0]['id']}")
    assert r.status_code == 404
    alice.mk("notifications/mark-all-as-read")
