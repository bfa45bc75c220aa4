"""Self-check of the Fedify test peer (tests/support/fedify_peer.py), with no tandem at all:
two peers federate with each other over http on loopback, so a failing federation test of
tandem's can be blamed on tandem, not on the harness."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from support.fedify_peer import FedifyPeer


@pytest.fixture(scope="module")
def peers() -> Iterator[tuple[FedifyPeer, FedifyPeer]]:
    a = FedifyPeer().start()
    # The second one signs with draft-cavage first, so both signature schemes are exercised.
    b = FedifyPeer(first_knock="draft-cavage-http-signatures-12").start()
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def test_follow_accept_post_update(peers: tuple[FedifyPeer, FedifyPeer]) -> None:
    a, b = peers
    assert a.actor()["handle"] == a.handle

    follow_id = a.follow(b.actor_url)
    b.wait_for_activity("Follow", object_id=b.actor_url, actor=a.actor_url)
    accept = a.wait_for_activity("Accept", actor=b.actor_url)
    assert accept["object_id"] == follow_id
    a.wait_until(
        lambda: (
            a.following() == [{"actor": b.actor_url, "state": "accepted", "follow_id": follow_id}]
        ),
        what="the follow to be accepted",
    )
    assert b.followers() == [a.actor_url]

    note_id = b.post("<p>Hello from B</p>")
    create = a.wait_for_activity("Create", object_type="Note", object_id=note_id)
    assert create["verified"] is True
    assert create["signature"] == "draft-cavage"
    assert create["json"]["object"]["content"] == "<p>Hello from B</p>"
    assert create["json"]["actor"] == b.actor_url

    b.update_profile(name="Renamed Peer", summary="<p>new</p>")
    update = a.wait_for_activity("Update", object_type="Person", object_id=b.actor_url)
    assert update["json"]["object"]["name"] == "Renamed Peer"

    # A follows by handle too (its own http WebFinger lookup), then unfollows.
    a.unfollow(b.actor_url)
    b.wait_for_activity("Undo", object_type="Follow", actor=a.actor_url)
    b.wait_until(lambda: b.followers() == [], what="the follower to be forgotten")
    a.follow(b.handle)
    b.wait_until(lambda: b.followers() == [a.actor_url], what="the follow by handle")

    assert all(entry["verified"] for entry in a.received() + b.received())
    assert all(d["status"] == 202 for d in a.deliveries() + b.deliveries())

    # An unsigned delivery is refused (401) and recorded as unverified.
    forged = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{a.origin}/forged",
        "type": "Like",
        "actor": a.actor_url,
        "object": note_id,
    }
    answer = httpx.post(
        b.shared_inbox, json=forged, headers={"content-type": "application/activity+json"}
    )
    assert answer.status_code == 401
    assert b.received()[-1]["id"] == forged["id"]
    assert b.received()[-1]["verified"] is False
