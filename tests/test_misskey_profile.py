"""i, i/update (tri-state), Drive, i/pin and i/unpin."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from support.images import png, size_of
from support.misskey import Misskey, MkUser, mk_user
from support.server import RunningServer


@pytest.fixture
def me(server: RunningServer) -> MkUser:
    return mk_user(server, display_name="Mika")


def test_i_is_me_detailed(me: MkUser) -> None:
    data = me.mk("i")
    assert data["id"] == me.id
    assert data["username"] == me.username
    assert data["host"] is None
    assert data["name"] == "Mika"
    assert data["email"] == f"{me.username}@example.com"
    assert data["emailVerified"] is True
    for key in ("avatarUrl", "policies", "twoFactorEnabled", "mutedWords", "createdAt"):
        assert key in data
    assert data["createdAt"].endswith("Z")
    assert data["policies"]["driveCapacityMb"] == 100


def test_update_sets_and_omitted_fields_stay(me: MkUser) -> None:
    changes: dict[str, Any] = {
        "name": "  Mika M.  ",
        "description": "Hello #world",
        "location": "Kyoto",
        "birthday": "1990-04-01",
        "lang": "ja-JP",
        "fields": [{"name": "Site", "value": "https://example.com"}, {"name": " ", "value": ""}],
        "isLocked": True,
        "isExplorable": True,
        "hideOnlineStatus": True,
        "publicReactions": False,
        "followingVisibility": "followers",
        "followersVisibility": "private",
        "noCrawle": True,
        "preventAiLearning": False,
        "isBot": True,
        "isCat": True,
        "autoAcceptFollowed": True,
        "carefulBot": True,
        "injectFeaturedNote": False,
        "alwaysMarkNsfw": True,
        "mutedWords": [["cats", "dogs"], "/spoil(er)?s/i"],
        "mutedInstances": ["bad.example"],
        "emailNotificationTypes": ["follow"],
        "followedMessage": "Thanks for the follow!",
        "chatScope": "followers",
    }
    updated = me.mk("i/update", changes)
    # As given, but trimmed, and without the empty field.
    expected = {
        **changes,
        "name": "Mika M.",
        "fields": [{"name": "Site", "value": "https://example.com"}],
    }
    assert {k: updated[k] for k in expected} == expected
    # Omitting everything changes nothing.
    again = me.mk("i/update", {})
    assert {k: again[k] for k in expected} == expected
    # One field at a time leaves the others alone.
    again = me.mk("i/update", {"location": "Osaka"})
    assert again["location"] == "Osaka"
    assert again["birthday"] == "1990-04-01"


def test_null_clears(me: MkUser) -> None:
    me.mk("i/update", {"name": "X", "description": "d", "location": "l", "birthday": "2000-01-01"})
    cleared = me.mk(
        "i/update",
        {"name": None, "description": None, "location": None, "birthday": None, "lang": None},
    )
    for key in ("name", "description", "location", "birthday", "lang"):
        assert cleared[key] is None, key
    assert me.mk("i/update", {"name": "   "})["name"] is None


def test_same_profile_through_mastodon(me: MkUser) -> None:
    me.mk("i/update", {"name": "Both", "description": "one core", "isLocked": True})
    r = httpx.get(f"{me.server.base_url}/api/v1/accounts/{me.id}")
    body = r.json()
    assert body["display_name"] == "Both"
    assert body["note"] == "<p>one core</p>"
    assert body["locked"] is True
    me.mk("i/update", {"followersVisibility": "public", "followingVisibility": "public"})
    creds = me.mastodon.api.get("/api/v1/accounts/verify_credentials").json()
    assert creds["source"]["hide_collections"] is False
    me.mastodon.api.patch("/api/v1/accounts/update_credentials", data={"hide_collections": "true"})
    mine = me.mk("i")
    assert mine["followersVisibility"] == "private"
    assert mine["followingVisibility"] == "private"


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"name": "x" * 51}, "name"),
        ({"name": "x" * 41}, "name"),
        ({"description": "x" * 501}, "description"),
        ({"location": "x" * 51}, "location"),
        ({"birthday": "1990/04/01"}, "birthday"),
        ({"birthday": "1990-02-31"}, "birthday"),
        ({"lang": "not a language"}, "lang"),
        ({"followersVisibility": "friends"}, "followersVisibility"),
        ({"fields": [{"name": "a"}]}, "fields[0].value"),
        ({"fields": [{"name": f"n{i}", "value": "v"} for i in range(5)]}, "fields"),
        ({"avatarId": "abc-def"}, "avatarId"),
        ({"mutedWords": [1]}, "mutedWords[0]"),
    ],
)
def test_invalid_values_name_the_param(me: MkUser, change: dict[str, Any], param: str) -> None:
    before = me.mk("i")
    error = me.mk.error("i/update", change, 400, "INVALID_PARAM")
    assert error["info"]["param"] == param
    after = me.mk("i")
    assert after["name"] == before["name"]  # nothing half-written


def test_features_this_server_lacks_say_so(me: MkUser) -> None:
    me.mk.error("i/update", {"avatarDecorations": [{"id": "1"}]}, 400, "RESTRICTED_BY_ROLE")
    me.mk.error("i/update", {"pinnedPageId": "1"}, 400, "NO_SUCH_PAGE")
    assert me.mk("i/update", {"avatarDecorations": [], "pinnedPageId": None})["id"] == me.id


def test_muted_word_errors(me: MkUser) -> None:
    me.mk.error("i/update", {"mutedWords": ["not a regex"]}, 400, "INVALID_REGEXP")
    me.mk.error("i/update", {"mutedWords": ["/(unclosed/"]}, 400, "INVALID_REGEXP")
    me.mk.error("i/update", {"hardMutedWords": [["x" * 201]]}, 400, "TOO_MANY_MUTED_WORDS")


def test_drive_upload_show_and_usage(me: MkUser) -> None:
    image = me.mk.upload(png(900, 600), "photo.png", "image/png", comment="a red box")
    assert image["type"] == "image/png"
    assert image["name"] == "photo.png"
    assert image["comment"] == "a red box"
    assert image["properties"] == {"width": 900, "height": 600}
    assert image["md5"]
    assert image["blurhash"]
    assert image["isSensitive"] is False
    assert httpx.get(image["url"]).status_code == 200
    assert httpx.get(image["thumbnailUrl"]).status_code == 200
    text = me.mk.upload(b"a,b\n", "list.csv", "text/csv", name="renamed.csv", isSensitive="true")
    assert text["type"] == "text/csv"
    assert text["name"] == "renamed.csv"
    assert text["isSensitive"] is True
    assert text["thumbnailUrl"] is None
    assert httpx.get(text["url"]).content == b"a,b\n"
    assert me.mk("drive/files/show", {"fileId": image["id"]})["id"] == image["id"]
    usage = me.mk("drive")
    assert usage["capacity"] == 100 * 1024 * 1024
    assert usage["usage"] >= image["size"] + text["size"]


def test_drive_errors(me: MkUser, server: RunningServer) -> None:
    other = mk_user(server)
    mine = me.mk.upload(png(), "a.png", "image/png")
    other.mk.error("drive/files/show", {"fileId": mine["id"]}, 403, "ACCESS_DENIED")
    other.mk.error("drive/files/delete", {"fileId": mine["id"]}, 403, "ACCESS_DENIED")
    me.mk.error("drive/files/show", {"fileId": "1"}, 400, "NO_SUCH_FILE")
    me.mk.error("drive/files/delete", {"fileId": "1"}, 400, "NO_SUCH_FILE")
    r = Misskey(server).client.post("/api/drive/files/create", data={"i": me.token})
    assert r.status_code == 400
    assert r.json()["error"]["info"]["param"] == "file"
    r = Misskey(server).client.post(
        "/api/drive/files/create",
        data={"i": me.token},
        files={"file": ("broken.png", b"not really a png", "image/png")},
    )
    assert r.status_code == 400
    assert r.json()["error"]["info"]["param"] == "file"


def test_drive_capacity_is_enforced(make_server: Any) -> None:
    server = make_server(drive_capacity=2000)
    user = mk_user(server)
    user.mk.upload(b"x" * 1500, "a.bin", "application/octet-stream")
    r = Misskey(server).client.post(
        "/api/drive/files/create",
        data={"i": user.token},
        files={"file": ("b.bin", b"y" * 600, "application/octet-stream")},
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "NO_FREE_SPACE"


def test_avatar_and_banner_from_drive(me: MkUser) -> None:
    avatar = me.mk.upload(png(800, 800), "me.png", "image/png")
    banner = me.mk.upload(png(3000, 1000, (0, 90, 0)), "banner.png", "image/png")
    updated = me.mk("i/update", {"avatarId": avatar["id"], "bannerId": banner["id"]})
    assert updated["avatarId"] == avatar["id"]
    assert updated["bannerId"] == banner["id"]
    assert size_of(httpx.get(updated["avatarUrl"]).content) == (400, 400)
    assert size_of(httpx.get(updated["bannerUrl"]).content) == (1500, 500)
    masto = httpx.get(f"{me.server.base_url}/api/v1/accounts/{me.id}").json()
    assert masto["avatar"] == updated["avatarUrl"]
    assert masto["header"] == updated["bannerUrl"]
    # Omitted keeps them, null removes one, deleting the Drive file removes the other.
    assert me.mk("i/update", {"name": "n"})["avatarId"] == avatar["id"]
    cleared = me.mk("i/update", {"avatarId": None})
    assert cleared["avatarId"] is None
    assert cleared["avatarUrl"].endswith("/avatars/original/missing.png")
    me.mk("drive/files/delete", {"fileId": banner["id"]})
    gone = me.mk("i")
    assert gone["bannerId"] is None
    assert gone["bannerUrl"] is None


def test_avatar_errors(me: MkUser, server: RunningServer) -> None:
    text = me.mk.upload(b"hello", "notes.txt", "text/plain")
    theirs = mk_user(server).mk.upload(png(), "x.png", "image/png")
    me.mk.error("i/update", {"avatarId": text["id"]}, 400, "AVATAR_NOT_AN_IMAGE")
    me.mk.error("i/update", {"bannerId": text["id"]}, 400, "BANNER_NOT_AN_IMAGE")
    me.mk.error("i/update", {"avatarId": theirs["id"]}, 400, "NO_SUCH_AVATAR")
    me.mk.error("i/update", {"bannerId": "123"}, 400, "NO_SUCH_BANNER")


def test_pin_and_unpin(me: MkUser, server: RunningServer) -> None:
    notes = [me.mk("notes/create", {"text": f"note {i}"})["createdNote"] for i in range(6)]
    pinned = me.mk("i/pin", {"noteId": notes[0]["id"]})
    assert pinned["pinnedNoteIds"] == [notes[0]["id"]]
    assert pinned["pinnedNotes"][0]["text"] == "note 0"
    me.mk.error("i/pin", {"noteId": notes[0]["id"]}, 400, "ALREADY_PINNED")
    for note in notes[1:5]:
        me.mk("i/pin", {"noteId": note["id"]})
    me.mk.error("i/pin", {"noteId": notes[5]["id"]}, 400, "PIN_LIMIT_EXCEEDED")
    theirs = mk_user(server).mk("notes/create", {"text": "not yours"})["createdNote"]
    me.mk.error("i/pin", {"noteId": theirs["id"]}, 400, "NO_SUCH_NOTE")
    me.mk.error("i/pin", {"noteId": "1"}, 400, "NO_SUCH_NOTE")
    # Mastodon sees the same pins.
    r = httpx.get(f"{server.base_url}/api/v1/accounts/{me.id}/statuses", params={"pinned": "true"})
    assert {s["id"] for s in r.json()} == {n["id"] for n in notes[:5]}
    unpinned = me.mk("i/unpin", {"noteId": notes[0]["id"]})
    assert notes[0]["id"] not in unpinned["pinnedNoteIds"]
    me.mk.error("i/unpin", {"noteId": "1"}, 400, "NO_SUCH_NOTE")


def test_online_status(me: MkUser, server: RunningServer) -> None:
    viewer = mk_user(server)
    me.mk("i")  # any authenticated call marks the account active
    assert viewer.mk("users/show", {"userId": me.id})["onlineStatus"] == "online"
    me.mk("i/update", {"hideOnlineStatus": True})
    assert viewer.mk("users/show", {"userId": me.id})["onlineStatus"] == "unknown"
