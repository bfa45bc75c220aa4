"""/api/v1/conversations: direct threads per participant, unread until read, paged by the
last status, a deleted status taken out (and an emptied conversation gone)."""

from __future__ import annotations

from typing import Any

import pytest

from support.api import User
from support.schemas import assert_valid


@pytest.fixture(autouse=True)
def strangers_may_write(request: pytest.FixtureRequest) -> None:
    """The people here never follow each other: their notification policy lets strangers'
    direct messages through (by default they are held in a notification request, and join
    no conversation until accepted: tests/test_notification_requests.py)."""
    for name in ("alice", "bob", "carol"):
        if name in request.fixturenames:
            user: User = request.getfixturevalue(name)
            r = user.api.patch(
                "/api/v2/notifications/policy", data={"for_private_mentions": "accept"}
            )
            assert r.status_code == 200, r.text


def direct(user: User, text: str, **extra: Any) -> dict[str, Any]:
    r = user.api.post("/api/v1/statuses", json={"status": text, "visibility": "direct", **extra})
    assert r.status_code == 200, r.text
    return dict(r.json())


def conversations(user: User, **params: Any) -> list[dict[str, Any]]:
    r = user.api.get("/api/v1/conversations", params=params)
    assert r.status_code == 200, r.text
    return list(r.json())


def test_a_direct_thread_is_a_conversation_for_each_side(
    alice: User, bob: User, carol: User
) -> None:
    first = direct(alice, f"@{bob.username} psst")
    mine = conversations(alice)
    assert len(mine) == 1
    assert_valid("Conversation", mine[0])
    assert mine[0]["unread"] is False
    assert [a["id"] for a in mine[0]["accounts"]] == [bob.id]
    assert mine[0]["last_status"]["id"] == first["id"]
    theirs = conversations(bob)
    assert len(theirs) == 1
    assert theirs[0]["unread"] is True
    assert [a["id"] for a in theirs[0]["accounts"]] == [alice.id]
    assert conversations(carol) == []
    # A reply joins the same conversation, which moves up and is unread again for alice.
    reply = direct(bob, f"@{alice.username} yes?", in_reply_to_id=first["id"])
    mine = conversations(alice)
    assert len(mine) == 1
    assert mine[0]["last_status"]["id"] == reply["id"]
    assert mine[0]["unread"] is True
    # Reading it.
    r = alice.api.post(f"/api/v1/conversations/{mine[0]['id']}/read")
    assert r.status_code == 200, r.text
    assert_valid("Conversation", r.json())
    assert r.json()["unread"] is False
    assert conversations(alice)[0]["unread"] is False
    # Deleting the last status moves the conversation back to the first one.
    assert bob.api.delete(f"/api/v1/statuses/{reply['id']}").status_code == 200
    assert conversations(alice)[0]["last_status"]["id"] == first["id"]
    # Deleting the only status left removes the conversation.
    assert alice.api.delete(f"/api/v1/statuses/{first['id']}").status_code == 200
    assert conversations(alice) == []
    assert conversations(bob) == []


def test_other_participants_make_another_conversation_and_pages(
    alice: User, bob: User, carol: User
) -> None:
    one = direct(alice, f"@{bob.username} one")
    two = direct(alice, f"@{bob.username} @{carol.username} two")
    public = alice.api.post("/api/v1/statuses", json={"status": f"@{bob.username} hi"}).json()
    assert public["visibility"] == "public"
    found = conversations(alice)
    assert [c["last_status"]["id"] for c in found] == [two["id"], one["id"]]
    assert sorted(a["id"] for a in found[0]["accounts"]) == sorted([bob.id, carol.id])
    r = alice.api.get("/api/v1/conversations", params={"limit": 1})
    assert [c["last_status"]["id"] for c in r.json()] == [two["id"]]
    link = r.headers["link"]
    assert f"max_id={two['id']}" in link
    assert f"min_id={two['id']}" in link
    older = conversations(alice, max_id=two["id"])
    assert [c["last_status"]["id"] for c in older] == [one["id"]]
    newer = conversations(alice, min_id=one["id"])
    assert [c["last_status"]["id"] for c in newer] == [two["id"]]
    # Carol's view of the group conversation names alice and bob.
    group = conversations(carol)
    assert sorted(a["id"] for a in group[0]["accounts"]) == sorted([alice.id, bob.id])


def test_remove_a_conversation_and_errors(alice: User, bob: User) -> None:
    direct(alice, f"@{bob.username} bye")
    found = conversations(bob)
    r = bob.api.delete(f"/api/v1/conversations/{found[0]['id']}")
    assert r.status_code == 200
    assert r.json() == {}
    assert conversations(bob) == []
    assert len(conversations(alice)) == 1  # only bob's side went
    again = bob.api.delete(f"/api/v1/conversations/{found[0]['id']}")
    assert again.status_code == 404
    assert "error" in again.json()
    other = alice.api.post(f"/api/v1/conversations/{found[0]['id']}/read")
    assert other.status_code == 404  # not alice's
    assert bob.api.post("/api/v1/conversations/abc/read").status_code == 404
    assert bob.api.get("/api/v1/conversations", params={"max_id": "x"}).status_code in (
        200,
        400,
        422,
    )


def test_a_note_to_oneself_shows_oneself(alice: User) -> None:
    note = direct(alice, "only me")
    found = conversations(alice)
    assert [a["id"] for a in found[0]["accounts"]] == [alice.id]
    assert found[0]["last_status"]["id"] == note["id"]
