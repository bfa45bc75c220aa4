"""tandem federating with a server it did not write: the Fedify peer of
tests/support/fedify_peer.py (Fedify 2 on Node 22, plain http on loopback). The peer follows
tandem accounts (by actor URL and by handle) and receives their posts and profile updates;
tandem follows the peer, reads its posts and unfollows; the peer likes and reacts. Each check
looks at both sides: tandem's client APIs (Mastodon and Misskey) and the activities the peer
recorded, which Fedify hands over only once it verified their HTTP signatures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

import httpx
import pytest

from support.api import User, register
from support.federation import wait_for
from support.fedify_peer import FedifyPeer, Received
from support.misskey import Misskey, sign_in
from support.server import RunningServer

T = TypeVar("T")
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
CAVAGE = "draft-cavage-http-signatures-12"


@pytest.fixture(scope="module")
def tandem(backend: str) -> Iterator[RunningServer]:
    running = RunningServer(backend).start()
    yield running
    running.close()


@pytest.fixture(scope="module")
def peer(tandem: RunningServer) -> Iterator[FedifyPeer]:
    """Signs with RFC 9421 first (Fedify's default)."""
    with FedifyPeer() as running:
        yield running


@pytest.fixture(scope="module")
def cavage_peer(tandem: RunningServer) -> Iterator[FedifyPeer]:
    """Signs with draft-cavage first."""
    with FedifyPeer(first_knock=CAVAGE) as running:
        yield running


def actor_url(user: User) -> str:
    """The user's ActivityPub id, as tandem's WebFinger names it."""
    domain = user.server.settings.domain
    r = httpx.get(
        f"{user.server.base_url}/.well-known/webfinger",
        params={"resource": f"acct:{user.username}@{domain}"},
    )
    assert r.status_code == 200, r.text
    return next(link["href"] for link in r.json()["links"] if link["rel"] == "self")


def handle(user: User) -> str:
    return f"{user.username}@{user.server.settings.domain}"


def notifications(user: User, kind: str) -> list[dict[str, Any]]:
    r = user.api.get("/api/v1/notifications", params={"types[]": kind})
    assert r.status_code == 200, r.text
    return list(r.json())


def misskey(user: User) -> Misskey:
    return Misskey(user.server, sign_in(user.server, user.username))


def relationship(user: User, account_id: str) -> dict[str, Any]:
    r = user.api.get("/api/v1/accounts/relationships", params={"id[]": account_id})
    assert r.status_code == 200, r.text
    return dict(r.json()[0])


def peer_follows(peer: FedifyPeer, user: User, *, by_handle: bool = False) -> str:
    """The peer follows `user` and waits for tandem's Accept; returns the user's actor URL."""
    target = actor_url(user)
    follow_id = peer.follow(handle(user) if by_handle else target)
    accept = peer.wait_for_activity("Accept", actor=target)
    assert accept["object_id"] == follow_id
    peer.wait_until(
        lambda: {"actor": target, "state": "accepted", "follow_id": follow_id} in peer.following(),
        what="the follow to be accepted",
    )
    return target


def peer_here(user: User, peer: FedifyPeer) -> str:
    """The peer's account id on tandem, resolved through WebFinger by a Mastodon lookup."""
    r = user.api.get("/api/v1/accounts/lookup", params={"acct": peer.handle})
    assert r.status_code == 200, r.text
    account = r.json()
    assert account["acct"] == peer.handle
    assert account["uri"] == peer.actor_url
    return str(account["id"])


def from_tandem(peer: FedifyPeer, tandem: RunningServer) -> list[Received]:
    return [e for e in peer.received() if (e["actor"] or "").startswith(tandem.base_url + "/")]


def assert_tandem_signed(peer: FedifyPeer, tandem: RunningServer) -> None:
    """Every activity tandem delivered to the peer verified, signed with draft-cavage."""
    mine = from_tandem(peer, tandem)
    assert mine
    for entry in mine:
        assert entry["verified"] is True, entry
        assert entry["signature"] == "draft-cavage", entry
        # Nothing else vouched for it: Fedify checked the HTTP signature itself.
        assert not entry["ld_signature"], entry
        assert not entry["proof"], entry


def assert_tandem_took_all(peer: FedifyPeer, tandem: RunningServer) -> None:
    """Every POST the peer made to tandem was answered 202 at once: no 401 made Fedify knock
    again with its other signature scheme."""
    posts = [d for d in peer.deliveries() if d["inbox"].startswith(tandem.base_url + "/")]
    assert posts
    assert all(d["status"] == 202 for d in posts), posts


def test_peer_follows_by_url_and_handle(tandem: RunningServer, peer: FedifyPeer) -> None:
    peer_acct = peer.handle
    for by_handle in (False, True):
        user = register(tandem)
        peer_follows(peer, user, by_handle=by_handle)
        # tandem lists the peer among the user's followers.
        r = user.api.get(f"/api/v1/accounts/{user.id}/followers")
        assert r.status_code == 200, r.text
        assert [a["acct"] for a in r.json()] == [peer_acct]
        assert r.json()[0]["uri"] == peer.actor_url
        shown = user.api.get(f"/api/v1/accounts/{user.id}").json()
        assert shown["followers_count"] == 1
        # A follow notification, in both dialects.
        followed = wait_for(lambda user=user: notifications(user, "follow"), "the notification")
        assert [n["account"]["acct"] for n in followed] == [peer_acct]
        mk = misskey(user)
        found = mk("i/notifications", {"includeTypes": ["follow"]})
        assert len(found) == 1
        assert found[0]["user"]["username"] == "peer"
        assert found[0]["user"]["host"] == f"127.0.0.1:{peer.port}"
    assert_tandem_took_all(peer, tandem)
    assert_tandem_signed(peer, tandem)


def test_posts_and_profile_update_reach_the_peer(tandem: RunningServer, peer: FedifyPeer) -> None:
    user = register(tandem, display_name="Before")
    me = peer_follows(peer, user)
    followers = f"{me}/followers"

    public = user.api.post("/api/v1/statuses", json={"status": "Hello Fedify"}).json()
    create = peer.wait_for_activity("Create", object_type="Note", object_id=public["uri"])
    note = create["json"]["object"]
    assert create["actor"] == me
    assert note["attributedTo"] == me
    assert "Hello Fedify" in note["content"]
    assert note["to"] == [PUBLIC]
    assert note["cc"] == [followers]
    assert create["json"]["to"] == note["to"]
    assert create["json"]["cc"] == note["cc"]

    private = user.api.post(
        "/api/v1/statuses", json={"status": "Only for followers", "visibility": "private"}
    ).json()
    create = peer.wait_for_activity("Create", object_type="Note", object_id=private["uri"])
    note = create["json"]["object"]
    assert note["attributedTo"] == me
    assert "Only for followers" in note["content"]
    assert note["to"] == [followers]
    assert PUBLIC not in note.get("cc", [])
    # (A followers-only post is sent to the peer's shared inbox, as a public one is.)
    assert create["inbox"] == "shared"

    r = user.api.patch("/api/v1/accounts/update_credentials", json={"display_name": "After"})
    assert r.status_code == 200, r.text
    update = peer.wait_for_activity("Update", object_type="Person", object_id=me)
    assert update["json"]["object"]["name"] == "After"
    assert update["actor"] == me
    assert_tandem_signed(peer, tandem)


def test_tandem_follows_reads_and_unfollows_the_peer(
    tandem: RunningServer, peer: FedifyPeer
) -> None:
    user = register(tandem)
    me = actor_url(user)
    target = peer_here(user, peer)
    r = user.api.post(f"/api/v1/accounts/{target}/follow")
    assert r.status_code == 200, r.text
    follow = peer.wait_for_activity("Follow", actor=me, object_id=peer.actor_url)
    assert follow["inbox"] == "personal"
    peer.wait_until(lambda: me in peer.followers(), what="the peer to keep its follower")
    wait_for(lambda: relationship(user, target)["following"], "the Accept on tandem")
    assert relationship(user, target)["requested"] is False

    note_id = peer.post("<p>Hello from <b>Fedify</b></p>")

    def in_home() -> list[dict[str, Any]]:
        home = user.api.get("/api/v1/timelines/home").json()
        return [s for s in home if s["uri"] == note_id]

    arrived = wait_for(in_home, "the peer's post in the home timeline")[0]
    assert arrived["account"]["acct"] == peer.handle
    assert "Hello from" in arrived["content"]
    assert "Fedify" in arrived["content"]
    assert arrived["visibility"] == "public"
    # Misskey's home timeline shows it too, with the peer's host.
    notes = misskey(user)("notes/timeline", {})
    shown = next(n for n in notes if n["id"] == arrived["id"])
    assert shown["user"]["host"] == f"127.0.0.1:{peer.port}"

    r = user.api.post(f"/api/v1/accounts/{target}/unfollow")
    assert r.status_code == 200, r.text
    undo = peer.wait_for_activity("Undo", object_type="Follow", actor=me)
    assert undo["json"]["object"]["object"] == peer.actor_url
    peer.wait_until(lambda: me not in peer.followers(), what="the peer to drop its follower")
    assert relationship(user, target)["following"] is False
    assert_tandem_took_all(peer, tandem)
    assert_tandem_signed(peer, tandem)


def test_draft_cavage_first(tandem: RunningServer, cavage_peer: FedifyPeer) -> None:
    """A peer that knocks with draft-cavage first is taken at once too, both ways."""
    user = register(tandem)
    me = peer_follows(cavage_peer, user)
    target = peer_here(user, cavage_peer)
    assert user.api.post(f"/api/v1/accounts/{target}/follow").status_code == 200
    wait_for(lambda: relationship(user, target)["following"], "the Accept on tandem")
    note_id = cavage_peer.post("<p>Signed the old way</p>", visibility="followers")

    def in_home() -> list[dict[str, Any]]:
        home = user.api.get("/api/v1/timelines/home").json()
        return [s for s in home if s["uri"] == note_id]

    arrived = wait_for(in_home, "the peer's post in the home timeline")[0]
    assert arrived["visibility"] == "private"
    assert [a["acct"] for a in user.api.get(f"/api/v1/accounts/{user.id}/followers").json()] == [
        cavage_peer.handle
    ]
    assert me in cavage_peer.followers()
    assert_tandem_took_all(cavage_peer, tandem)
    assert_tandem_signed(cavage_peer, tandem)


def test_like_and_emoji_react_notify(tandem: RunningServer, peer: FedifyPeer) -> None:
    user = register(tandem)
    me = actor_url(user)
    liked = user.api.post("/api/v1/statuses", json={"status": "Like me"}).json()
    reacted = user.api.post("/api/v1/statuses", json={"status": "React to me"}).json()

    peer.send({"type": "Like", "object": liked["uri"]}, me)
    favourites = wait_for(lambda: notifications(user, "favourite"), "the favourite")
    assert [n["account"]["acct"] for n in favourites] == [peer.handle]
    assert favourites[0]["status"]["id"] == liked["id"]
    shown = user.api.get(f"/api/v1/statuses/{liked['id']}").json()
    assert shown["favourites_count"] == 1

    peer.send({"type": "EmojiReact", "object": reacted["uri"], "content": "🎉"}, me)
    mk = misskey(user)

    def reaction() -> list[dict[str, Any]]:
        found = mk("i/notifications", {"includeTypes": ["reaction"]})
        return [n for n in found if n["reaction"] == "🎉"]

    notified = wait_for(reaction, "the reaction notification")
    assert notified[0]["user"]["host"] == f"127.0.0.1:{peer.port}"
    assert notified[0]["note"]["id"] == reacted["id"]
    note = mk("notes/show", {"noteId": reacted["id"]})
    assert note["reactions"] == {"🎉": 1}
    assert_tandem_took_all(peer, tandem)
