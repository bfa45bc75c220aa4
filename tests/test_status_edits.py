"""Editing statuses (history, source, `update` notifications) and deleting them with or
without their media (delete_media, delete and redraft)."""

from __future__ import annotations

from support.api import Api, User, register
from support.images import png
from support.schemas import assert_valid
from support.server import RunningServer


def upload(user: User, description: str = "") -> dict:
    r = user.api.post(
        "/api/v2/media",
        files={"file": ("p.png", png(), "image/png")},
        data={"description": description},
    )
    assert r.status_code in (200, 202), r.text
    return r.json()


def post(user: User, **data: object) -> dict:
    r = user.api.post("/api/v1/statuses", json={"status": "first words", **data})
    assert r.status_code == 200, r.text
    return r.json()


def test_edit_history_source(server: RunningServer, alice: User, bob: User) -> None:
    photo = upload(alice)
    status = post(alice, media_ids=[photo["id"]])
    assert status["edited_at"] is None
    history = Api(server).get(f"/api/v1/statuses/{status['id']}/history").json()
    assert [h["content"] for h in history] == [status["content"]]
    bob.api.post(f"/api/v1/statuses/{status['id']}/reblog")
    second = upload(alice)
    r = alice.api.put(
        f"/api/v1/statuses/{status['id']}",
        json={
            "status": f"better words @{bob.username} #edited",
            "spoiler_text": "cw",
            "language": "de",
            "media_ids": [photo["id"], second["id"]],
            "media_attributes": [
                {"id": second["id"], "description": "a square", "focus": "0.5,0.5"}
            ],
        },
    )
    assert r.status_code == 200, r.text
    edited = r.json()
    assert_valid("Status", edited)
    assert edited["edited_at"] is not None
    assert edited["id"] == status["id"]
    assert "better words" in edited["content"]
    assert edited["spoiler_text"] == "cw"
    assert edited["sensitive"] is True
    assert edited["language"] == "de"
    assert [m["id"] for m in edited["media_attachments"]] == [photo["id"], second["id"]]
    assert edited["media_attachments"][1]["description"] == "a square"
    assert [m["id"] for m in edited["mentions"]] == [bob.id]
    assert [t["name"] for t in edited["tags"]] == ["edited"]
    history = Api(server).get(f"/api/v1/statuses/{status['id']}/history").json()
    assert len(history) == 2
    for version in history:
        assert_valid("StatusEdit", version)
    assert "first words" in history[0]["content"]
    assert history[0]["created_at"] == status["created_at"]
    assert [m["id"] for m in history[0]["media_attachments"]] == [photo["id"]]
    assert "better words" in history[1]["content"]
    assert history[1]["spoiler_text"] == "cw"
    source = alice.api.get(f"/api/v1/statuses/{status['id']}/source").json()
    assert_valid("StatusSource", source)
    assert source == {
        "id": status["id"],
        "text": f"better words @{bob.username} #edited",
        "spoiler_text": "cw",
    }
    # The reblogger is told; a second edit adds one version, dropping media detaches them.
    updates = [n for n in bob.api.get("/api/v1/notifications").json() if n["type"] == "update"]
    assert [n["status"]["id"] for n in updates] == [status["id"]]
    again = alice.api.put(
        f"/api/v1/statuses/{status['id']}", json={"status": "third", "media_ids": []}
    ).json()
    assert again["media_attachments"] == []
    assert again["sensitive"] is False
    assert len(Api(server).get(f"/api/v1/statuses/{status['id']}/history").json()) == 3
    assert post(alice, media_ids=[second["id"]])["media_attachments"][0]["id"] == second["id"]
    # Keeping media: media_ids absent.
    kept = post(alice, media_ids=[photo["id"]])
    same = alice.api.put(f"/api/v1/statuses/{kept['id']}", json={"status": "reworded"}).json()
    assert [m["id"] for m in same["media_attachments"]] == [photo["id"]]


def test_edit_refusals(server: RunningServer, alice: User, bob: User) -> None:
    status = post(alice)
    r = bob.api.put(f"/api/v1/statuses/{status['id']}", json={"status": "mine now"})
    assert r.status_code == 403
    r = alice.api.put(f"/api/v1/statuses/{status['id']}", json={"status": " "})
    assert r.status_code == 422
    r = alice.api.put(f"/api/v1/statuses/{status['id']}", json={"status": "x" * 501})
    assert r.status_code == 422
    theirs = upload(bob)
    r = alice.api.put(
        f"/api/v1/statuses/{status['id']}", json={"status": "x", "media_ids": [theirs["id"]]}
    )
    assert r.status_code == 404
    used = upload(alice)
    post(alice, media_ids=[used["id"]])
    r = alice.api.put(
        f"/api/v1/statuses/{status['id']}", json={"status": "x", "media_ids": [used["id"]]}
    )
    assert r.status_code == 422
    r = alice.api.put(
        f"/api/v1/statuses/{status['id']}", json={"status": "x", "media_attributes": "nope"}
    )
    assert r.status_code in (400, 422)
    assert alice.api.put("/api/v1/statuses/1", json={"status": "x"}).status_code == 404
    # Nothing changed: no new version.
    r = alice.api.put(f"/api/v1/statuses/{status['id']}", json={"status": "first words"})
    assert r.json()["edited_at"] is None
    private = post(alice, visibility="private")
    assert Api(server).get(f"/api/v1/statuses/{private['id']}/history").status_code == 404
    assert bob.api.get(f"/api/v1/statuses/{private['id']}/source").status_code == 404


def test_delete_media_or_redraft(server: RunningServer) -> None:
    alice = register(server)
    kept = upload(alice, "keep me")
    status = post(alice, media_ids=[kept["id"]])
    deleted = alice.api.delete(f"/api/v1/statuses/{status['id']}").json()
    assert deleted["text"] == "first words"
    assert deleted["media_attachments"][0]["id"] == kept["id"]
    # Redraft: the media can be attached again.
    redraft = post(alice, media_ids=[kept["id"]])
    assert redraft["media_attachments"][0]["description"] == "keep me"
    file_url = redraft["media_attachments"][0]["url"]
    assert Api(server).get(file_url.removeprefix(server.base_url)).status_code == 200
    gone = alice.api.delete(f"/api/v1/statuses/{redraft['id']}?delete_media=true")
    assert gone.status_code == 200
    r = alice.api.post("/api/v1/statuses", json={"status": "again", "media_ids": [kept["id"]]})
    assert r.status_code == 404
    assert alice.api.get(f"/api/v1/media/{kept['id']}").status_code == 404
    assert Api(server).get(file_url.removeprefix(server.base_url)).status_code == 404
