"""Statuses, media attachments and lists: the pieces the account API needs to be real."""

from __future__ import annotations

import httpx

from support.api import Api, User, register
from support.images import jpeg, png, size_of
from support.server import RunningServer


def post(user: User, **data: str) -> dict:
    r = user.api.post("/api/v1/statuses", data=data)
    assert r.status_code == 200, r.text
    return r.json()


def test_post_show_delete(server: RunningServer, alice: User, bob: User) -> None:
    status = post(alice, status=f"Hello @{bob.username} #Python https://example.com", language="en")
    assert status["visibility"] == "public"
    assert status["language"] == "en"
    assert status["account"]["id"] == alice.id
    assert status["mentions"] == [
        {
            "id": bob.id,
            "username": bob.username,
            "acct": bob.username,
            "url": f"{server.base_url}/@{bob.username}",
        }
    ]
    assert status["tags"] == [{"name": "python", "url": f"{server.base_url}/tags/python"}]
    assert status["url"] == f"{server.base_url}/@{alice.username}/{status['id']}"
    assert status["application"]["name"] == "tandem tests"
    assert Api(server).get(f"/api/v1/statuses/{status['id']}").json()["id"] == status["id"]
    me = alice.api.get("/api/v1/accounts/verify_credentials").json()
    assert me["statuses_count"] == 1
    assert me["last_status_at"] is not None
    r = bob.api.delete(f"/api/v1/statuses/{status['id']}")
    assert r.status_code == 404  # not bob's
    deleted = alice.api.delete(f"/api/v1/statuses/{status['id']}").json()
    assert deleted["text"].startswith("Hello @")
    assert Api(server).get(f"/api/v1/statuses/{status['id']}").status_code == 404
    assert alice.api.get("/api/v1/accounts/verify_credentials").json()["statuses_count"] == 0


def test_post_validation(alice: User) -> None:
    r = alice.api.post("/api/v1/statuses", data={"status": "   "})
    assert r.status_code == 422
    assert r.json()["error"] == "Validation failed: Text can't be blank"
    r = alice.api.post("/api/v1/statuses", data={"status": "x" * 501})
    assert r.json()["error"] == "Validation failed: Text character limit of 500 exceeded"
    r = alice.api.post("/api/v1/statuses", data={"status": "hi", "visibility": "everyone"})
    assert r.json()["details"]["visibility"][0]["error"] == "ERR_INCLUSION"
    r = alice.api.post(
        "/api/v1/statuses",
        json={"status": "poll?", "poll": {"options": ["a", "b"], "expires_in": 60}},
    )
    assert r.status_code == 422
    assert "poll" in r.json()["details"]
    r = alice.api.post("/api/v1/statuses", data={"status": "reply", "in_reply_to_id": "123123"})
    assert r.status_code == 404


def test_visibility(server: RunningServer, alice: User, bob: User, carol: User) -> None:
    private = post(alice, status="followers only", visibility="private")
    direct = post(alice, status=f"@{carol.username} just you", visibility="direct")
    assert Api(server).get(f"/api/v1/statuses/{private['id']}").status_code == 404
    assert bob.api.get(f"/api/v1/statuses/{private['id']}").status_code == 404
    bob.api.post(f"/api/v1/accounts/{alice.id}/follow")
    assert bob.api.get(f"/api/v1/statuses/{private['id']}").status_code == 200
    assert bob.api.get(f"/api/v1/statuses/{direct['id']}").status_code == 404
    assert carol.api.get(f"/api/v1/statuses/{direct['id']}").status_code == 200
    # On the profile: the mentioned one and the author see the direct post, unless excluded.
    for reader in (carol, alice):
        path = f"/api/v1/accounts/{alice.id}/statuses"
        assert direct["id"] in [s["id"] for s in reader.api.get(path).json()]
        excluded = reader.api.get(path, params={"exclude_direct": "true"}).json()
        assert direct["id"] not in [s["id"] for s in excluded]
    # Locked account default privacy is private.
    locked = register(server, locked=True)
    assert post(locked, status="default")["visibility"] == "private"


def test_reblog_and_pin(server: RunningServer, alice: User, bob: User) -> None:
    original = post(bob, status="boost me")
    reblog = alice.api.post(f"/api/v1/statuses/{original['id']}/reblog").json()
    assert reblog["reblog"]["id"] == original["id"]
    assert reblog["reblog"]["reblogged"] is True
    assert reblog["content"] == ""
    again = alice.api.post(f"/api/v1/statuses/{original['id']}/reblog").json()
    assert again["id"] == reblog["id"]  # once only
    assert bob.api.get(f"/api/v1/statuses/{original['id']}").json()["reblogs_count"] == 1
    undone = alice.api.post(f"/api/v1/statuses/{original['id']}/unreblog").json()
    assert undone["id"] == original["id"]
    assert undone["reblogged"] is False
    assert undone["reblogs_count"] == 0
    private = post(bob, status="no boosts", visibility="private")
    alice.api.post(f"/api/v1/accounts/{bob.id}/follow")
    r = alice.api.post(f"/api/v1/statuses/{private['id']}/reblog")
    assert (r.status_code, r.json()) == (403, {"error": "This action is not allowed"})

    mine = [post(alice, status=f"pin {i}") for i in range(6)]
    for status in mine[:5]:
        body = alice.api.post(f"/api/v1/statuses/{status['id']}/pin").json()
        assert body["pinned"] is True
    r = alice.api.post(f"/api/v1/statuses/{mine[5]['id']}/pin")
    assert r.status_code == 422
    assert (
        r.json()["error"]
        == "Validation failed: You have already pinned the maximum number of posts"
    )
    r = alice.api.post(f"/api/v1/statuses/{original['id']}/pin")
    assert r.json()["error"] == "Validation failed: Someone else's post cannot be pinned"
    assert alice.api.post(f"/api/v1/statuses/{mine[0]['id']}/unpin").json()["pinned"] is False


def test_media_upload_and_attach(server: RunningServer, alice: User, bob: User) -> None:
    r = alice.api.post(
        "/api/v2/media",
        files={"file": ("photo.jpg", jpeg(4000, 3000), "image/jpeg")},
        data={"description": "a blue rectangle", "focus": "0.5,-0.25"},
    )
    assert r.status_code == 200, r.text
    media = r.json()
    assert media["type"] == "image"
    assert media["description"] == "a blue rectangle"
    assert media["meta"]["focus"] == {"x": 0.5, "y": -0.25}
    assert media["blurhash"]
    width, height = media["meta"]["original"]["width"], media["meta"]["original"]["height"]
    assert width * height <= 3840 * 2160
    assert size_of(httpx.get(media["url"]).content) == (width, height)
    small = media["meta"]["small"]
    assert small["width"] * small["height"] <= 640 * 360
    assert size_of(httpx.get(media["preview_url"]).content) == (small["width"], small["height"])

    updated = alice.api.put(f"/api/v1/media/{media['id']}", data={"description": "changed"}).json()
    assert updated["description"] == "changed"
    assert bob.api.get(f"/api/v1/media/{media['id']}").status_code == 404
    status = alice.api.post(
        "/api/v1/statuses", data={"status": "", "media_ids[]": media["id"]}
    ).json()
    assert [m["id"] for m in status["media_attachments"]] == [media["id"]]
    only_media = Api(server).get(
        f"/api/v1/accounts/{alice.id}/statuses", params={"only_media": "true"}
    )
    assert [s["id"] for s in only_media.json()] == [status["id"]]
    r = alice.api.post("/api/v1/statuses", data={"status": "again", "media_ids[]": media["id"]})
    assert r.status_code == 422
    r = bob.api.post("/api/v1/statuses", data={"status": "not mine", "media_ids[]": media["id"]})
    assert r.status_code == 404


def test_media_errors(alice: User) -> None:
    r = alice.api.post("/api/v2/media", files={"file": ("x.txt", b"plain text", "text/plain")})
    assert r.status_code == 422
    assert r.json()["details"]["file"][0]["error"] == "ERR_INVALID"
    r = alice.api.post("/api/v2/media", data={"description": "no file"})
    assert r.json()["details"]["file"][0]["error"] == "ERR_BLANK"
    r = alice.api.post(
        "/api/v2/media", files={"file": ("p.png", png(), "image/png")}, data={"focus": "2,0"}
    )
    assert r.json()["details"]["focus"][0]["error"] == "ERR_INVALID"


def test_lists_crud_and_members(server: RunningServer, alice: User, bob: User, carol: User) -> None:
    r = alice.api.post("/api/v1/lists", data={"title": ""})
    assert r.status_code == 422
    assert r.json()["error"] == "Validation failed: Title can't be blank"
    made = alice.api.post(
        "/api/v1/lists", json={"title": "Work", "replies_policy": "followed", "exclusive": True}
    ).json()
    assert (made["replies_policy"], made["exclusive"]) == ("followed", True)
    r = alice.api.post(f"/api/v1/lists/{made['id']}/accounts", data={"account_ids[]": bob.id})
    assert r.status_code == 422  # must follow first
    alice.api.post(f"/api/v1/accounts/{bob.id}/follow")
    alice.api.post(f"/api/v1/accounts/{carol.id}/follow")
    r = alice.api.post(
        f"/api/v1/lists/{made['id']}/accounts", data={"account_ids[]": [bob.id, carol.id]}
    )
    assert r.status_code == 200
    members = alice.api.get(f"/api/v1/lists/{made['id']}/accounts").json()
    assert sorted(a["id"] for a in members) == sorted([bob.id, carol.id])
    assert (
        len(alice.api.get(f"/api/v1/lists/{made['id']}/accounts", params={"limit": "0"}).json())
        == 2
    )
    alice.api.delete(f"/api/v1/lists/{made['id']}/accounts", params={"account_ids[]": carol.id})
    assert [a["id"] for a in alice.api.get(f"/api/v1/lists/{made['id']}/accounts").json()] == [
        bob.id
    ]
    # Unfollowing removes the account from your lists.
    alice.api.post(f"/api/v1/accounts/{bob.id}/unfollow")
    assert alice.api.get(f"/api/v1/lists/{made['id']}/accounts").json() == []
    renamed = alice.api.put(f"/api/v1/lists/{made['id']}", data={"title": "Job"}).json()
    assert renamed["title"] == "Job"
    assert renamed["exclusive"] is True
    assert [x["title"] for x in alice.api.get("/api/v1/lists").json()] == ["Job"]
    assert bob.api.get(f"/api/v1/lists/{made['id']}").status_code == 404
    assert alice.api.delete(f"/api/v1/lists/{made['id']}").status_code == 200
    assert alice.api.get(f"/api/v1/lists/{made['id']}").status_code == 404
