"""Follow, block, mute, endorse, notes and relationship reads."""

from __future__ import annotations

import time

from support.api import Api, User, register
from support.server import RunningServer


def rel(user: User, target: User) -> dict:
    r = user.api.get("/api/v1/accounts/relationships", params={"id[]": target.id})
    assert r.status_code == 200, r.text
    return r.json()[0]


RELATIONSHIP_KEYS = {
    "id",
    "following",
    "showing_reblogs",
    "notifying",
    "languages",
    "followed_by",
    "blocking",
    "blocked_by",
    "muting",
    "muting_notifications",
    "muting_expires_at",
    "requested",
    "requested_by",
    "domain_blocking",
    "endorsed",
    "note",
}


def test_follow_and_options(alice: User, bob: User) -> None:
    r = alice.api.post(f"/api/v1/accounts/{bob.id}/follow")
    body = r.json()
    assert set(body) == RELATIONSHIP_KEYS
    assert (body["following"], body["requested"], body["showing_reblogs"]) == (True, False, True)
    assert body["languages"] is None
    assert body["notifying"] is False
    body = alice.api.post(
        f"/api/v1/accounts/{bob.id}/follow",
        data={"reblogs": "false", "notify": "true", "languages[]": ["en", "es"]},
    ).json()
    assert body["showing_reblogs"] is False
    assert body["notifying"] is True
    assert sorted(body["languages"]) == ["en", "es"]
    # Absent options keep their values.
    body = alice.api.post(f"/api/v1/accounts/{bob.id}/follow", json={"notify": False}).json()
    assert body["showing_reblogs"] is False
    assert body["notifying"] is False
    assert sorted(body["languages"]) == ["en", "es"]
    r = alice.api.post(f"/api/v1/accounts/{bob.id}/follow", data={"languages[]": "zz"})
    assert r.status_code == 422
    assert r.json()["details"]["languages"][0]["error"] == "ERR_INVALID"
    assert rel(bob, alice)["followed_by"] is True
    counts = alice.api.get(f"/api/v1/accounts/{bob.id}").json()
    assert counts["followers_count"] == 1


def test_follow_self_and_unknown(alice: User) -> None:
    r = alice.api.post(f"/api/v1/accounts/{alice.id}/follow")
    assert (r.status_code, r.json()) == (
        403,
        {"error": "Following your own account is not allowed"},
    )
    r = alice.api.post("/api/v1/accounts/123123/follow")
    assert (r.status_code, r.json()) == (404, {"error": "Record not found"})


def test_locked_account_requests(server: RunningServer, alice: User) -> None:
    owner = register(server, locked=True)
    body = alice.api.post(f"/api/v1/accounts/{owner.id}/follow").json()
    assert (body["following"], body["requested"]) == (False, True)
    assert rel(owner, alice)["requested_by"] is True
    listed = owner.api.get("/api/v1/follow_requests").json()
    assert [a["id"] for a in listed] == [alice.id]
    body = owner.api.post(f"/api/v1/follow_requests/{alice.id}/reject").json()
    assert body["requested_by"] is False
    assert body["followed_by"] is False
    assert owner.api.post(f"/api/v1/follow_requests/{alice.id}/reject").status_code == 404
    # Ask again, withdraw by unfollowing, ask again, get accepted.
    alice.api.post(f"/api/v1/accounts/{owner.id}/follow")
    assert alice.api.post(f"/api/v1/accounts/{owner.id}/unfollow").json()["requested"] is False
    alice.api.post(f"/api/v1/accounts/{owner.id}/follow", data={"notify": "true"})
    body = owner.api.post(f"/api/v1/follow_requests/{alice.id}/authorize").json()
    assert body["followed_by"] is True
    after = rel(alice, owner)
    assert after["following"] is True
    assert after["notifying"] is True


def test_unfollow_and_remove_from_followers(alice: User, bob: User) -> None:
    alice.api.post(f"/api/v1/accounts/{bob.id}/follow")
    alice.api.post(f"/api/v1/accounts/{bob.id}/endorse")
    body = alice.api.post(f"/api/v1/accounts/{bob.id}/unfollow").json()
    assert body["following"] is False
    assert body["endorsed"] is False
    assert alice.api.post(f"/api/v1/accounts/{bob.id}/unfollow").status_code == 200
    alice.api.post(f"/api/v1/accounts/{bob.id}/follow")
    body = bob.api.post(f"/api/v1/accounts/{alice.id}/remove_from_followers").json()
    assert body["followed_by"] is False
    assert rel(alice, bob)["following"] is False


def test_block_ends_follows_both_ways(server: RunningServer, alice: User, bob: User) -> None:
    alice.api.post(f"/api/v1/accounts/{bob.id}/follow")
    bob.api.post(f"/api/v1/accounts/{alice.id}/follow")
    body = alice.api.post(f"/api/v1/accounts/{bob.id}/block").json()
    assert body["blocking"] is True
    assert body["following"] is False
    assert body["followed_by"] is False
    assert rel(bob, alice)["blocked_by"] is True
    assert alice.api.get(f"/api/v1/accounts/{bob.id}").json()["followers_count"] == 0
    r = bob.api.post(f"/api/v1/accounts/{alice.id}/follow")
    assert (r.status_code, r.json()) == (403, {"error": "This action is not allowed"})
    r = alice.api.post(f"/api/v1/accounts/{bob.id}/follow")
    assert r.status_code == 403
    blocks = alice.api.get("/api/v1/blocks").json()
    assert [a["id"] for a in blocks] == [bob.id]
    assert alice.api.post(f"/api/v1/accounts/{bob.id}/unblock").json()["blocking"] is False
    assert alice.api.get("/api/v1/blocks").json() == []
    assert alice.api.post(f"/api/v1/accounts/{alice.id}/block").json()["blocking"] is False


def test_block_rejects_pending_request(server: RunningServer, alice: User) -> None:
    owner = register(server, locked=True)
    alice.api.post(f"/api/v1/accounts/{owner.id}/follow")
    owner.api.post(f"/api/v1/accounts/{alice.id}/block")
    assert owner.api.get("/api/v1/follow_requests").json() == []


def test_mute_options_and_list(alice: User, bob: User) -> None:
    alice.api.post(f"/api/v1/accounts/{bob.id}/follow")
    body = alice.api.post(f"/api/v1/accounts/{bob.id}/mute").json()
    assert (body["muting"], body["muting_notifications"], body["following"]) == (True, True, True)
    assert body["muting_expires_at"] is None
    body = alice.api.post(f"/api/v1/accounts/{bob.id}/mute", data={"notifications": "false"}).json()
    assert (body["muting"], body["muting_notifications"]) == (True, False)
    body = alice.api.post(f"/api/v1/accounts/{bob.id}/mute", data={"duration": "300"}).json()
    assert body["muting_expires_at"].endswith("Z")
    assert "." not in body["muting_expires_at"]
    mutes = alice.api.get("/api/v1/mutes").json()
    assert [m["id"] for m in mutes] == [bob.id]
    assert mutes[0]["mute_expires_at"].endswith("Z")
    assert "." in mutes[0]["mute_expires_at"]
    assert alice.api.post(f"/api/v1/accounts/{bob.id}/unmute").json()["muting"] is False
    assert alice.api.get("/api/v1/mutes").json() == []
    r = alice.api.post(f"/api/v1/accounts/{bob.id}/mute", data={"duration": "-5"})
    assert r.status_code == 422


def test_timed_mute_really_expires(alice: User, bob: User) -> None:
    alice.api.post(f"/api/v1/accounts/{bob.id}/mute", data={"duration": "1"})
    assert rel(alice, bob)["muting"] is True
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and alice.api.get("/api/v1/mutes").json():
        time.sleep(0.1)
    assert rel(alice, bob)["muting"] is False
    assert alice.api.get("/api/v1/mutes").json() == []


def test_endorse(server: RunningServer, alice: User, bob: User) -> None:
    r = alice.api.post(f"/api/v1/accounts/{bob.id}/endorse")
    assert r.status_code == 422
    assert r.json() == {
        "error": "Validation failed: You must be already following the person you want to endorse"
    }
    alice.api.post(f"/api/v1/accounts/{bob.id}/follow")
    assert alice.api.post(f"/api/v1/accounts/{bob.id}/pin").json()["endorsed"] is True
    assert (
        alice.api.post(f"/api/v1/accounts/{bob.id}/endorse").json()["endorsed"] is True
    )  # idempotent
    assert [a["id"] for a in alice.api.get("/api/v1/endorsements").json()] == [bob.id]
    public = Api(server).get(f"/api/v1/accounts/{alice.id}/endorsements").json()
    assert [a["id"] for a in public] == [bob.id]
    assert alice.api.post(f"/api/v1/accounts/{bob.id}/unendorse").json()["endorsed"] is False
    assert alice.api.post(f"/api/v1/accounts/{bob.id}/unpin").status_code == 200
    r = Api(server).get("/api/v1/endorsements")
    assert (r.status_code, r.json()) == (401, {"error": "The access token is invalid"})


def test_private_note(alice: User, bob: User) -> None:
    assert (
        alice.api.post(f"/api/v1/accounts/{bob.id}/note", data={"comment": "knows Python"}).json()[
            "note"
        ]
        == "knows Python"
    )
    assert rel(bob, alice)["note"] == ""  # private to alice
    r = alice.api.post(f"/api/v1/accounts/{bob.id}/note", data={"comment": "x" * 2001})
    assert r.status_code == 422
    assert (
        r.json()["error"] == "Validation failed: Comment is too long (maximum is 2000 characters)"
    )
    assert rel(alice, bob)["note"] == "knows Python"  # unchanged
    assert (
        alice.api.post(f"/api/v1/accounts/{bob.id}/note", data={"comment": ""}).json()["note"] == ""
    )


def test_relationships_dedupe_order_and_unknown(alice: User, bob: User, carol: User) -> None:
    alice.api.post(f"/api/v1/accounts/{carol.id}/follow")
    r = alice.api.get(
        "/api/v1/accounts/relationships",
        params=[("id[]", carol.id), ("id[]", bob.id), ("id[]", carol.id), ("id[]", "123123")],
    )
    body = r.json()
    assert [x["id"] for x in body] == [carol.id, bob.id]
    assert body[0]["following"] is True
    assert body[1]["following"] is False
    # A scalar id works as well.
    assert len(alice.api.get(f"/api/v1/accounts/relationships?id={bob.id}").json()) == 1


def test_familiar_followers(server: RunningServer, alice: User) -> None:
    target = register(server)
    friend = register(server)
    stranger = register(server)
    hidden = register(server, hide_collections=True)
    for follower in (friend, stranger, hidden):
        follower.api.post(f"/api/v1/accounts/{target.id}/follow")
    alice.api.post(f"/api/v1/accounts/{friend.id}/follow")
    alice.api.post(f"/api/v1/accounts/{hidden.id}/follow")
    r = alice.api.get(
        "/api/v1/accounts/familiar_followers", params=[("id[]", target.id), ("id[]", target.id)]
    )
    body = r.json()
    assert len(body) == 1
    assert body[0]["id"] == target.id
    assert [a["id"] for a in body[0]["accounts"]] == [friend.id]


def test_blocks_and_mutes_paging(server: RunningServer, alice: User) -> None:
    others = [register(server) for _ in range(3)]
    for other in others:
        alice.api.post(f"/api/v1/accounts/{other.id}/block")
    r = alice.api.get("/api/v1/blocks", params={"limit": 2})
    assert [a["id"] for a in r.json()] == [others[2].id, others[1].id]
    assert 'rel="next"' in r.headers["link"]
    assert 'rel="prev"' in r.headers["link"]
