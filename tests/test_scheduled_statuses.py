"""Scheduled statuses: kept with their parameters, listed, moved, cancelled, and published
by a job at their time (once)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from support.api import User, register
from support.images import png
from support.schemas import assert_valid
from support.server import RunningServer


def at(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def test_schedule_list_move_cancel(server: RunningServer, alice: User, bob: User) -> None:
    media = alice.api.post(
        "/api/v2/media", files={"file": ("p.png", png(), "image/png")}, data={"description": "d"}
    ).json()
    r = alice.api.post(
        "/api/v1/statuses",
        json={
            "status": "later",
            "scheduled_at": at(3600),
            "media_ids": [media["id"]],
            "visibility": "unlisted",
            "spoiler_text": "cw",
        },
    )
    assert r.status_code == 200, r.text
    scheduled = r.json()
    assert_valid("ScheduledStatus", scheduled)
    assert scheduled["params"]["text"] == "later"
    assert scheduled["params"]["visibility"] == "unlisted"
    assert scheduled["params"]["media_ids"] == [media["id"]]
    assert scheduled["media_attachments"][0]["id"] == media["id"]
    poll = alice.api.post(
        "/api/v1/statuses",
        json={
            "status": "vote later",
            "scheduled_at": at(7200),
            "poll": {"options": ["a", "b"], "expires_in": 600},
        },
    ).json()
    assert_valid("ScheduledStatus", poll)
    assert poll["params"]["poll"]["options"] == ["a", "b"]
    listed = alice.api.get("/api/v1/scheduled_statuses").json()
    assert [s["id"] for s in listed] == [poll["id"], scheduled["id"]]
    page = alice.api.get("/api/v1/scheduled_statuses?limit=1")
    assert 'rel="next"' in page.headers["Link"]
    assert bob.api.get(f"/api/v1/scheduled_statuses/{scheduled['id']}").status_code == 404
    assert bob.api.get("/api/v1/scheduled_statuses").json() == []
    later = at(10_000)
    moved = alice.api.put(
        f"/api/v1/scheduled_statuses/{scheduled['id']}", json={"scheduled_at": later}
    ).json()
    assert moved["scheduled_at"][:19] == later[:19]
    assert alice.api.delete(f"/api/v1/scheduled_statuses/{poll['id']}").json() == {}
    assert alice.api.delete(f"/api/v1/scheduled_statuses/{poll['id']}").status_code == 404
    assert [s["id"] for s in alice.api.get("/api/v1/scheduled_statuses").json()] == [
        scheduled["id"]
    ]
    # Too soon, not a time, or not a valid post: refused now, not at publication.
    for body in (
        {"status": "x", "scheduled_at": at(60)},
        {"status": "x", "scheduled_at": "tomorrow"},
        {"status": " ", "scheduled_at": at(3600)},
    ):
        r = alice.api.post("/api/v1/statuses", json=body)
        assert r.status_code == 422, (body, r.text)
    r = alice.api.put(f"/api/v1/scheduled_statuses/{scheduled['id']}", json={"scheduled_at": "x"})
    assert r.status_code == 422
    assert alice.api.get("/api/v1/accounts/verify_credentials").json()["statuses_count"] == 0


def test_published_at_its_time(make_server: Callable[..., RunningServer]) -> None:
    server = make_server(schedule_min_ahead_seconds=0)
    alice = register(server)
    r = alice.api.post(
        "/api/v1/statuses",
        json={
            "status": "on time",
            "scheduled_at": at(1),
            "poll": {"options": ["yes", "no"], "expires_in": 600},
        },
    )
    assert r.status_code == 200, r.text
    deadline = time.monotonic() + 20
    posted: list[dict] = []
    while time.monotonic() < deadline and not posted:
        posted = alice.api.get(f"/api/v1/accounts/{alice.id}/statuses").json()
        time.sleep(0.2)
    assert [s["content"] for s in posted] == ["<p>on time</p>"]
    assert posted[0]["poll"]["options"][0]["title"] == "yes"
    assert alice.api.get("/api/v1/scheduled_statuses").json() == []
    gone = alice.api.get(f"/api/v1/scheduled_statuses/{r.json()['id']}")
    assert gone.status_code == 404
