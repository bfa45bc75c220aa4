"""Editing statuses (history, source, `update` notifications) and deleting them with or
without their media (delete_media, delete and redraft)."""

from __future__ import annotations

import base64
from typing import Any

import httpx
from sqlalchemy import text

from support.api import Api, User, register
from support.images import png
from support.schemas import assert_valid
from support.server import RunningServer
from support.sql import execute
from test_media_av import clip


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


def edit_media(
    user: User,
    status: dict[str, Any],
    media: list[str],
    attributes: list[dict[str, Any]],
    text: str = "x",
) -> httpx.Response:
    """A JSON edit keeping `media`, with these media_attributes."""
    body = {"status": text, "media_ids": media, "media_attributes": attributes}
    return user.api.put(f"/api/v1/statuses/{status['id']}", json=body)


def test_edit_media_thumbnail(server: RunningServer, alice: User) -> None:
    """media_attributes[] of an edit change the alt text, focus and thumbnail of a kept video
    (Mastodon's update_media_attachments!): a new thumbnail replaces the preview, in a new
    version of the history; a data: URI (as Mastodon.py sends it) or a multipart file."""
    r = alice.api.post(
        "/api/v1/media",
        files={
            "file": ("c.mp4", clip(), "video/mp4"),
            "thumbnail": ("t.png", png(50, 30), "image/png"),
        },
        data={"description": "before", "focus": "-0.5,0.3"},
    )
    assert r.status_code == 200, r.text
    video = r.json()
    status = post(alice, media_ids=[video["id"]])
    first = status["media_attachments"][0]
    assert first["meta"]["focus"] == {"x": -0.5, "y": 0.3}
    assert httpx.get(first["preview_url"]).status_code == 200
    thumbnail = "data:image/png;base64," + base64.b64encode(png(40, 40)).decode()
    changes = {"id": video["id"], "description": "after", "focus": "0.2,-0.1"}
    r = edit_media(alice, status, [video["id"]], [{**changes, "thumbnail": thumbnail}], "new words")
    assert r.status_code == 200, r.text
    edited = r.json()
    assert_valid("Status", edited)
    media = edited["media_attachments"][0]
    assert media["id"] == video["id"]
    assert media["description"] == "after"
    assert media["meta"]["focus"] == {"x": 0.2, "y": -0.1}
    assert media["meta"]["small"]["width"] == 40
    assert media["preview_url"] != first["preview_url"]
    assert media["url"] == first["url"]  # the video itself stays
    assert httpx.get(media["preview_url"]).status_code == 200
    assert httpx.get(first["preview_url"]).status_code == 404  # the old thumbnail is gone
    history = Api(server).get(f"/api/v1/statuses/{status['id']}/history").json()
    assert len(history) == 2
    assert history[1]["media_attachments"][0]["preview_url"] == media["preview_url"]
    assert history[1]["media_attachments"][0]["description"] == "after"
    # A media change alone (same text) is an edit too: a multipart thumbnail this time.
    r = alice.api.put(
        f"/api/v1/statuses/{status['id']}",
        data={
            "status": "new words",
            "media_ids[]": video["id"],
            "media_attributes[][id]": video["id"],
            "media_attributes[][description]": "after",
        },
        files={"media_attributes[][thumbnail]": ("t.png", png(30, 20), "image/png")},
    )
    assert r.status_code == 200, r.text
    third = r.json()["media_attachments"][0]
    assert third["meta"]["small"]["width"] == 30
    assert third["preview_url"] != media["preview_url"]
    assert httpx.get(media["preview_url"]).status_code == 404
    history = Api(server).get(f"/api/v1/statuses/{status['id']}/history").json()
    assert len(history) == 3
    # The same attributes again change nothing: no new version.
    r = edit_media(
        alice, status, [video["id"]], [{"id": video["id"], "description": "after"}], "new words"
    )
    assert r.status_code == 200, r.text
    assert len(Api(server).get(f"/api/v1/statuses/{status['id']}/history").json()) == 3
    # Refused, all or nothing: an image takes no thumbnail, a thumbnail must be a file,
    # and a failing edit leaves the thumbnail it brought behind nowhere.
    photo = upload(alice)
    with_photo = post(alice, media_ids=[photo["id"]])
    r = edit_media(alice, with_photo, [photo["id"]], [{"id": photo["id"], "thumbnail": thumbnail}])
    assert r.status_code == 422, r.text
    assert "error" in r.json()
    r = edit_media(alice, status, [video["id"]], [{"id": video["id"], "thumbnail": "not a file"}])
    assert r.status_code == 400, r.text
    assert "error" in r.json()
    too_long = {"id": video["id"], "description": "d" * 1501, "thumbnail": thumbnail}
    r = edit_media(alice, status, [video["id"]], [too_long])
    assert r.status_code == 422, r.text
    unchanged = alice.api.get(f"/api/v1/statuses/{status['id']}").json()
    assert unchanged["media_attachments"][0]["preview_url"] == third["preview_url"]
    assert unchanged["media_attachments"][0]["description"] == "after"
    assert "new words" in unchanged["content"]


def _forget_descriptions(server: RunningServer, status_id: str) -> None:
    """Make the status's kept versions look like rows kept before descriptions were."""
    query = text("UPDATE status_edits SET media_descriptions = NULL WHERE status_id = :id")
    execute(server, query, {"id": int(status_id)})


def test_history_keeps_media_descriptions(server: RunningServer, alice: User) -> None:
    """Each version of the history shows its media with the descriptions it had (Mastodon's
    media_descriptions), not the attachment's current one."""
    photo = upload(alice, "one")
    other = upload(alice, "")
    status = post(alice, media_ids=[photo["id"], other["id"]])
    assert status["media_attachments"][0]["description"] == "one"
    both = [photo["id"], other["id"]]
    r = edit_media(alice, status, both, [{"id": photo["id"], "description": "two"}], "first words")
    assert r.status_code == 200, r.text
    assert r.json()["media_attachments"][0]["description"] == "two"
    r = edit_media(alice, status, both, [{"id": other["id"], "description": "three"}], "last words")
    assert r.status_code == 200, r.text
    history = Api(server).get(f"/api/v1/statuses/{status['id']}/history").json()
    assert len(history) == 3
    for version in history:
        assert_valid("StatusEdit", version)
    described = [[(m["id"], m["description"]) for m in v["media_attachments"]] for v in history]
    assert described == [
        [(photo["id"], "one"), (other["id"], None)],
        [(photo["id"], "two"), (other["id"], None)],
        [(photo["id"], "two"), (other["id"], "three")],
    ]
    # Versions kept without descriptions show the media's current ones.
    _forget_descriptions(server, status["id"])
    history = Api(server).get(f"/api/v1/statuses/{status['id']}/history").json()
    assert [[m["description"] for m in v["media_attachments"]] for v in history] == [
        ["two", "three"],
        ["two", "three"],
        ["two", "three"],
    ]


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
