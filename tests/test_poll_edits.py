"""Editing a status's poll (PUT /api/v1/statuses/:id with `poll`), as Mastodon's
UpdateStatusService: votes kept while the options stay, reset when they change, the poll
removed by an edit without one; history entries carry the options. Polls may come with
media, on creation and on edit (current Mastodon, and Misskey)."""

from __future__ import annotations

from typing import Any

from support.api import User, register
from support.images import png
from support.misskey import Misskey, sign_in
from support.schemas import assert_valid
from support.server import RunningServer


def upload(user: User) -> dict[str, Any]:
    r = user.api.post("/api/v2/media", files={"file": ("p.png", png(), "image/png")})
    assert r.status_code in (200, 202), r.text
    return dict(r.json())


def poll_post(user: User, options: list[str], **extra: Any) -> dict[str, Any]:
    r = user.api.post(
        "/api/v1/statuses",
        json={"status": "which?", "poll": {"options": options, "expires_in": 3600}, **extra},
    )
    assert r.status_code == 200, r.text
    assert_valid("Status", r.json())
    return dict(r.json())


def edit(user: User, status_id: str, **body: Any) -> dict[str, Any]:
    r = user.api.put(f"/api/v1/statuses/{status_id}", json={"status": "which?", **body})
    assert r.status_code == 200, r.text
    assert_valid("Status", r.json())
    return dict(r.json())


def vote(user: User, poll_id: str, *choices: int) -> dict[str, Any]:
    r = user.api.post(f"/api/v1/polls/{poll_id}/votes", json={"choices": list(choices)})
    assert r.status_code == 200, r.text
    return dict(r.json())


def counts(status: dict[str, Any]) -> list[int]:
    return [o["votes_count"] for o in status["poll"]["options"]]


def test_votes_stay_while_the_options_do(server: RunningServer) -> None:
    alice, bob = register(server), register(server)
    status = poll_post(alice, ["a", "b"])
    poll_id = status["poll"]["id"]
    vote(bob, poll_id, 1)
    same = edit(
        alice, status["id"], poll={"options": ["a", "b"], "expires_in": 7200, "hide_totals": True}
    )
    assert same["poll"]["id"] == poll_id
    assert same["edited_at"] is not None
    assert bob.api.get(f"/api/v1/polls/{poll_id}").json()["own_votes"] == [1]
    assert same["poll"]["votes_count"] == 1
    # New options: the votes go, the poll stays the status's.
    changed = edit(alice, status["id"], poll={"options": ["a", "b", "c"], "expires_in": 3600})
    assert [o["title"] for o in changed["poll"]["options"]] == ["a", "b", "c"]
    assert counts(changed) == [0, 0, 0]
    shown = bob.api.get(f"/api/v1/polls/{changed['poll']['id']}").json()
    assert shown["voted"] is False
    vote(bob, changed["poll"]["id"], 2)  # and bob may vote again
    # Single to multiple choice resets them too.
    multiple = edit(
        alice,
        status["id"],
        poll={"options": ["a", "b", "c"], "expires_in": 3600, "multiple": True},
    )
    assert multiple["poll"]["multiple"] is True
    assert counts(multiple) == [0, 0, 0]
    # The history shows each version's options.
    history = alice.api.get(f"/api/v1/statuses/{status['id']}/history").json()
    for item in history:
        assert_valid("StatusEdit", item)
    assert [[o["title"] for o in v["poll"]["options"]] for v in history] == [
        ["a", "b"],
        ["a", "b"],
        ["a", "b", "c"],
        ["a", "b", "c"],
    ]
    # Misskey sees the edited poll.
    note = Misskey(server, sign_in(server, bob.username))("notes/show", {"noteId": status["id"]})
    assert note["poll"]["multiple"] is True
    assert [c["text"] for c in note["poll"]["choices"]] == ["a", "b", "c"]


def test_an_edit_adds_or_removes_the_poll(server: RunningServer) -> None:
    alice = register(server)
    r = alice.api.post("/api/v1/statuses", json={"status": "plain"})
    status = r.json()
    added = edit(alice, status["id"], poll={"options": ["yes", "no"], "expires_in": 600})
    assert [o["title"] for o in added["poll"]["options"]] == ["yes", "no"]
    assert alice.api.get(f"/api/v1/polls/{added['poll']['id']}").status_code == 200
    removed = edit(alice, status["id"])  # Mastodon's edits send the poll again, or drop it
    assert removed["poll"] is None
    assert alice.api.get(f"/api/v1/polls/{added['poll']['id']}").status_code == 404
    history = alice.api.get(f"/api/v1/statuses/{status['id']}/history").json()
    assert [v["poll"] is None for v in history] == [True, False, True]


def test_bad_poll_edits_say_what_to_change(server: RunningServer) -> None:
    alice = register(server)
    status = poll_post(alice, ["a", "b"])
    for bad in (
        {"options": ["a"], "expires_in": 3600},
        {"options": ["a", "b", "c", "d", "e"], "expires_in": 3600},
        {"options": ["a", "b"], "expires_in": 5},
        {"options": ["a", "b"]},
    ):
        r = alice.api.put(f"/api/v1/statuses/{status['id']}", json={"status": "q", "poll": bad})
        assert r.status_code == 422, (bad, r.text)
        assert "poll" in r.json()["details"], r.text
    kept = alice.api.get(f"/api/v1/statuses/{status['id']}").json()
    assert [o["title"] for o in kept["poll"]["options"]] == ["a", "b"]


def test_a_poll_may_come_with_media(server: RunningServer) -> None:
    alice = register(server)
    photo = upload(alice)
    status = poll_post(alice, ["a", "b"], media_ids=[photo["id"]])
    assert status["poll"] is not None
    assert [m["id"] for m in status["media_attachments"]] == [photo["id"]]
    # And on edit: media added to a poll, and a poll added to a post with media.
    other = upload(alice)
    both = edit(
        alice,
        status["id"],
        media_ids=[photo["id"], other["id"]],
        poll={"options": ["a", "b"], "expires_in": 3600},
    )
    assert len(both["media_attachments"]) == 2
    assert both["poll"] is not None
    pictured = alice.api.post(
        "/api/v1/statuses", json={"status": "pic", "media_ids": [upload(alice)["id"]]}
    ).json()
    polled = edit(alice, pictured["id"], poll={"options": ["x", "y"], "expires_in": 3600})
    assert polled["poll"] is not None
    assert len(polled["media_attachments"]) == 1
