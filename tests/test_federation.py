"""Federation between two tandem servers on loopback (different domains: host and port),
checked through the client APIs of both dialects: WebFinger resolve, follows of locked and
open accounts, posts, replies, profile updates, favourites and reactions, unfollow, block,
delete."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import httpx
import pytest

from support.api import User, register
from support.cli import tandem
from support.federation import server_pair, wait_for
from support.images import png
from support.misskey import Misskey, mk_user, sign_in
from support.server import RunningServer

T = TypeVar("T")


@pytest.fixture(scope="module")
def servers(backend: str) -> Iterator[tuple[RunningServer, RunningServer]]:
    with server_pair(backend) as pair:
        yield pair


def handle(user: User) -> str:
    return f"{user.username}@{user.server.settings.domain}"


def remote_id(viewer: User, other: User) -> str:
    """The id `viewer`'s server gives `other` (resolved through WebFinger)."""
    r = viewer.api.get("/api/v1/accounts/lookup", params={"acct": handle(other)})
    assert r.status_code == 200, r.text
    return str(r.json()["id"])


def relationship(viewer: User, account_id: str) -> dict[str, Any]:
    r = viewer.api.get("/api/v1/accounts/relationships", params={"id[]": account_id})
    assert r.status_code == 200, r.text
    return dict(r.json()[0])


def follow(follower: User, followed: User) -> str:
    """`follower` follows `followed` on the other server and waits for the Accept."""
    target = remote_id(follower, followed)
    r = follower.api.post(f"/api/v1/accounts/{target}/follow")
    assert r.status_code == 200, r.text
    wait_for(lambda: relationship(follower, target)["following"], "the Accept")
    return target


def notifications(user: User, kind: str) -> list[dict[str, Any]]:
    r = user.api.get("/api/v1/notifications", params={"types[]": kind})
    assert r.status_code == 200, r.text
    return list(r.json())


def test_webfinger_host_meta_and_actor(servers: tuple[RunningServer, RunningServer]) -> None:
    a, _ = servers
    alice = register(a, display_name="Alice", note="Hello #world")
    domain = a.settings.domain
    r = httpx.get(
        f"{a.base_url}/.well-known/webfinger",
        params={"resource": f"acct:{alice.username}@{domain}"},
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/jrd+json")
    jrd = r.json()
    assert jrd["subject"] == f"acct:{alice.username}@{domain}"
    links = {link["rel"]: link for link in jrd["links"]}
    actor_url = links["self"]["href"]
    assert links["self"]["type"] == "application/activity+json"
    assert (
        links["http://webfinger.net/rel/profile-page"]["href"] == f"{a.base_url}/@{alice.username}"
    )
    assert "{uri}" in links["http://ostatus.org/schema/1.0/subscribe"]["template"]
    # The actor URL works as a resource too; an unknown one is a 404.
    assert (
        httpx.get(f"{a.base_url}/.well-known/webfinger", params={"resource": actor_url}).json()[
            "subject"
        ]
        == jrd["subject"]
    )
    missing = httpx.get(
        f"{a.base_url}/.well-known/webfinger", params={"resource": f"acct:nobody@{domain}"}
    )
    assert missing.status_code == 404

    meta = httpx.get(f"{a.base_url}/.well-known/host-meta")
    assert meta.status_code == 200
    assert "lrdd" in meta.text
    assert "webfinger?resource={uri}" in meta.text

    for accept in (
        "application/activity+json",
        'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
    ):
        doc = httpx.get(actor_url, headers={"Accept": accept})
        assert doc.status_code == 200, doc.text
        assert doc.headers["content-type"].startswith("application/activity+json")
        person = doc.json()
        assert person["type"] == "Person"
        assert person["id"] == actor_url
        assert person["preferredUsername"] == alice.username
        assert person["name"] == "Alice"
        assert "/tags/world" in person["summary"]
        assert person["_misskey_summary"] == "Hello #world"
        assert person["inbox"] == f"{actor_url}/inbox"
        assert person["endpoints"]["sharedInbox"] == f"{a.base_url}/inbox"
        assert person["publicKey"]["owner"] == actor_url
        assert "BEGIN PUBLIC KEY" in person["publicKey"]["publicKeyPem"]
        assert person["manuallyApprovesFollowers"] is False
        for key in ("followers", "following", "outbox", "featured", "featuredTags", "url"):
            assert person[key], key
    # The same key every time (made once, on first use).
    again = httpx.get(actor_url, headers={"Accept": "application/activity+json"}).json()
    assert again["publicKey"] == person["publicKey"]
    # A browser is sent to the profile page; the profile page sends ActivityPub to the actor.
    browser = httpx.get(actor_url, headers={"Accept": "text/html"})
    assert browser.status_code == 302
    assert browser.headers["location"].endswith(f"/@{alice.username}")
    page = httpx.get(
        f"{a.base_url}/@{alice.username}", headers={"Accept": "application/activity+json"}
    )
    assert page.status_code == 302
    assert page.headers["location"] == actor_url
    followers = httpx.get(f"{actor_url}/followers", headers={"Accept": "application/activity+json"})
    assert followers.json()["type"] == "OrderedCollection"
    assert followers.json()["totalItems"] == 0


def test_locked_account_request_then_accept(servers: tuple[RunningServer, RunningServer]) -> None:
    a, b = servers
    alice = register(a)
    bob = register(b, locked=True)
    bob_here = remote_id(alice, bob)
    r = alice.api.post(f"/api/v1/accounts/{bob_here}/follow")
    assert r.status_code == 200, r.text
    assert r.json()["requested"] is True
    assert r.json()["following"] is False

    def request_on_b() -> list[dict[str, Any]]:
        found = bob.api.get("/api/v1/follow_requests").json()
        return [x for x in found if x["acct"] == handle(alice)]

    requester = wait_for(request_on_b, "the follow request on B")[0]
    assert wait_for(lambda: notifications(bob, "follow_request"), "the notification")
    r = bob.api.post(f"/api/v1/follow_requests/{requester['id']}/authorize")
    assert r.status_code == 200, r.text
    assert wait_for(lambda: relationship(alice, bob_here)["following"], "the Accept on A")
    assert relationship(alice, bob_here)["requested"] is False
    followers = bob.api.get(f"/api/v1/accounts/{bob.id}/followers").json()
    assert [f["acct"] for f in followers] == [handle(alice)]
    # Misskey sees the same follow on A.
    mk = Misskey(a, sign_in(a, alice.username))
    shown = mk("users/show", {"userId": bob_here})
    assert shown["isFollowing"] is True
    assert shown["host"] == b.settings.domain


def test_post_reply_and_threading(servers: tuple[RunningServer, RunningServer]) -> None:
    a, b = servers
    alice = register(a)
    bob = register(b)
    follow(alice, bob)
    posted = bob.api.post("/api/v1/statuses", json={"status": "Hello from B #tandemtest"}).json()

    def in_home() -> list[dict[str, Any]]:
        home = alice.api.get("/api/v1/timelines/home").json()
        return [s for s in home if s["uri"] == posted["uri"]]

    arrived = wait_for(in_home, "the post in A's home timeline")[0]
    assert arrived["account"]["acct"] == handle(bob)
    assert "Hello from B" in arrived["content"]
    assert [t["name"] for t in arrived["tags"]] == ["tandemtest"]
    # Misskey's timeline on A shows it too, with the author's host.
    notes = Misskey(a, sign_in(a, alice.username))("notes/timeline", {})
    note = next(n for n in notes if n["id"] == arrived["id"])
    assert note["user"]["host"] == b.settings.domain

    reply = alice.api.post(
        "/api/v1/statuses",
        json={"status": f"@{handle(bob)} nice!", "in_reply_to_id": arrived["id"]},
    )
    assert reply.status_code == 200, reply.text

    def reply_on_b() -> list[dict[str, Any]]:
        context = bob.api.get(f"/api/v1/statuses/{posted['id']}/context").json()
        return list(context["descendants"])

    descendants = wait_for(reply_on_b, "the reply in B's thread")
    assert descendants[0]["account"]["acct"] == handle(alice)
    assert descendants[0]["in_reply_to_id"] == posted["id"]
    mentions = wait_for(lambda: notifications(bob, "mention"), "the mention notification")
    assert mentions[0]["account"]["acct"] == handle(alice)


def test_profile_update_propagates(servers: tuple[RunningServer, RunningServer]) -> None:
    a, b = servers
    alice = register(a)
    bob = register(b, display_name="Bob")
    bob_here = follow(alice, bob)
    r = bob.api.patch(
        "/api/v1/accounts/update_credentials",
        json={"display_name": "Bob Renamed", "note": "New bio"},
    )
    assert r.status_code == 200, r.text

    def renamed() -> dict[str, Any] | None:
        shown = alice.api.get(f"/api/v1/accounts/{bob_here}").json()
        return shown if shown["display_name"] == "Bob Renamed" else None

    shown = wait_for(renamed, "the Update on A")
    assert "New bio" in shown["note"]


def test_favourite_and_misskey_reaction_notify(
    servers: tuple[RunningServer, RunningServer],
) -> None:
    a, b = servers
    alice = register(a)
    carol = register(a)
    bob = register(b)
    follow(alice, bob)
    follow(carol, bob)
    posted = bob.api.post("/api/v1/statuses", json={"status": "React to me"}).json()

    def status_on(user: User) -> str | None:
        home = user.api.get("/api/v1/timelines/home").json()
        return next((s["id"] for s in home if s["uri"] == posted["uri"]), None)

    alice_copy = wait_for(lambda: status_on(alice), "the post on A")
    carol_copy = wait_for(lambda: status_on(carol), "the post on A for carol")
    assert alice.api.post(f"/api/v1/statuses/{alice_copy}/favourite").status_code == 200
    mk = Misskey(a, sign_in(a, carol.username))
    mk("notes/reactions/create", {"noteId": carol_copy, "reaction": "🎉"})

    favourites = wait_for(lambda: notifications(bob, "favourite"), "the favourite on B")
    assert {n["account"]["acct"] for n in favourites} >= {handle(alice)}
    bob_mk = Misskey(b, sign_in(b, bob.username))

    def reaction() -> list[dict[str, Any]]:
        found = bob_mk("i/notifications", {"includeTypes": ["reaction"]})
        return [n for n in found if n["reaction"] == "🎉"]

    reacted = wait_for(reaction, "the reaction on B")
    assert reacted[0]["user"]["host"] == a.settings.domain
    shown = bob_mk("notes/show", {"noteId": posted["id"]})
    assert shown["reactions"].get("🎉") == 1


def test_unfollow_block_and_delete(servers: tuple[RunningServer, RunningServer]) -> None:
    a, b = servers
    alice = register(a)
    bob = register(b)
    bob_here = follow(alice, bob)
    alice_there = follow(bob, alice)
    posted = bob.api.post("/api/v1/statuses", json={"status": "Soon gone"}).json()

    def copy_on_a() -> str | None:
        home = alice.api.get("/api/v1/timelines/home").json()
        return next((s["id"] for s in home if s["uri"] == posted["uri"]), None)

    copy = wait_for(copy_on_a, "the post on A")
    # Delete: the copy goes too.
    assert bob.api.delete(f"/api/v1/statuses/{posted['id']}").status_code == 200
    wait_for(
        lambda: alice.api.get(f"/api/v1/statuses/{copy}").status_code == 404, "the Delete on A"
    )
    # Unfollow: B forgets the follower.
    assert alice.api.post(f"/api/v1/accounts/{bob_here}/unfollow").status_code == 200

    def bob_followers() -> int:
        return int(bob.api.get(f"/api/v1/accounts/{bob.id}").json()["followers_count"])

    wait_for(lambda: bob_followers() == 0, "the Undo(Follow) on B")
    follow(alice, bob)
    wait_for(lambda: bob_followers() == 1, "the follow again")
    # Block: both follows end on both servers.
    assert bob.api.post(f"/api/v1/accounts/{alice_there}/block").status_code == 200
    wait_for(lambda: not relationship(alice, bob_here)["following"], "the Block on A")
    assert relationship(alice, bob_here)["followed_by"] is False
    assert bob_followers() == 0
    # A knows alice is blocked: she cannot follow again (as Mastodon, a 403).
    assert relationship(alice, bob_here)["blocked_by"] is True
    assert alice.api.post(f"/api/v1/accounts/{bob_here}/follow").status_code == 403
    # Unblocked, she can.
    assert bob.api.post(f"/api/v1/accounts/{alice_there}/unblock").status_code == 200
    wait_for(lambda: not relationship(alice, bob_here)["blocked_by"], "the Undo(Block) on A")
    follow(alice, bob)


def test_move_carries_followers_to_the_other_server(
    servers: tuple[RunningServer, RunningServer],
) -> None:
    a, b = servers
    old = register(b)  # moves from B…
    new = register(a)  # …to A
    carol = register(a)  # follows the old account from A
    dave = register(b)  # follows it on B
    follow(carol, old)
    r = dave.api.post(f"/api/v1/accounts/{old.id}/follow")
    assert r.status_code == 200, r.text
    assert r.json()["following"]
    # The new account names the old one as an alias (Misskey's i/update alsoKnownAs).
    new_mk = Misskey(a, sign_in(a, new.username))
    updated = new_mk("i/update", {"alsoKnownAs": [f"@{handle(old)}"]})
    assert updated["alsoKnownAs"], updated
    old_mk = Misskey(b, sign_in(b, old.username))
    # Without the alias the move is refused; with it, it goes.
    other = register(a)
    old_mk.error(
        "i/move", {"moveToAccount": f"@{handle(other)}"}, 400, "DESTINATION_ACCOUNT_FORBIDS"
    )
    moved = old_mk("i/move", {"moveToAccount": f"@{handle(new)}"})
    assert moved["movedTo"], moved
    new_followers_url = f"/api/v1/accounts/{new.id}/followers"

    def followers_of_new() -> set[str]:
        return {f["acct"] for f in new.api.get(new_followers_url).json()}

    carried = wait_for(
        lambda: followers_of_new() >= {carol.username, handle(dave)} and followers_of_new(),
        "both followers following the new account",
    )
    assert carried >= {carol.username, handle(dave)}
    # The old account lost them on both servers.
    wait_for(
        lambda: old.api.get(f"/api/v1/accounts/{old.id}").json()["followers_count"] == 0,
        "the old account's followers gone",
    )


def test_authorized_fetch_requires_signed_gets(
    make_server: Callable[..., RunningServer],
) -> None:
    """Secure mode: actors, collections and posts answer signed GETs only; two such servers
    still federate (their fetches are signed by each one's instance actor)."""
    a = make_server(authorized_fetch=True)
    b = make_server(authorized_fetch=True)
    alice = register(a)
    bob = register(b)
    actor = httpx.get(
        f"{b.base_url}/.well-known/webfinger",
        params={"resource": f"acct:{bob.username}@{b.settings.domain}"},
    ).json()["links"][1]["href"]
    unsigned = httpx.get(actor, headers={"Accept": "application/activity+json"})
    assert unsigned.status_code == 401
    assert (
        httpx.get(f"{actor}/outbox", headers={"Accept": "application/activity+json"}).status_code
        == 401
    )
    instance = httpx.get(f"{b.base_url}/actor", headers={"Accept": "application/activity+json"})
    assert instance.status_code == 200
    assert instance.json()["type"] == "Application"
    bob_here = follow(alice, bob)
    posted = bob.api.post("/api/v1/statuses", json={"status": "secure hello"}).json()

    def in_home() -> bool:
        return any(
            s["uri"] == posted["uri"] for s in alice.api.get("/api/v1/timelines/home").json()
        )

    wait_for(in_home, "the post in secure mode")
    assert relationship(alice, bob_here)["following"]


def test_domain_policies_apply_to_federation(
    make_server: Callable[..., RunningServer],
) -> None:
    """A silenced server's posts reach followers' home timelines but not the public ones;
    with reject_media their files and avatars are not shown; a suspended one is refused at
    the inbox and its accounts cannot be looked up."""
    a = make_server()
    b = make_server()
    alice = register(a)
    bob = register(b)
    follow(alice, bob)
    tandem(
        a, "admin", "domain-block", "add", "127.0.0.1", "--severity", "silence", "--reject-media"
    )
    upload = bob.api.post(
        "/api/v2/media", files={"file": ("red.png", png(64, 64), "image/png")}
    ).json()
    posted = bob.api.post(
        "/api/v1/statuses", json={"status": "quiet please", "media_ids": [upload["id"]]}
    ).json()

    def in_home() -> list[dict[str, Any]]:
        home = alice.api.get("/api/v1/timelines/home").json()
        return [s for s in home if s["uri"] == posted["uri"]]

    copy = wait_for(in_home, "the post in the home timeline")[0]
    assert copy["media_attachments"] == []
    federated = alice.api.get("/api/v1/timelines/public", params={"remote": "true"}).json()
    assert all(s["uri"] != posted["uri"] for s in federated)
    # Suspended: the inbox refuses the server, WebFinger lookups of its accounts fail.
    tandem(a, "admin", "domain-block", "add", "127.0.0.1", "--severity", "suspend")
    carol = register(b)
    r = alice.api.get("/api/v1/accounts/lookup", params={"acct": handle(carol)})
    assert r.status_code == 404
    bob.api.post("/api/v1/statuses", json={"status": "nobody hears this"})
    time.sleep(1)
    home = alice.api.get("/api/v1/timelines/home").json()
    assert all("nobody hears this" not in s["content"] for s in home)


def test_poll_and_pin_federate(servers: tuple[RunningServer, RunningServer]) -> None:
    a, b = servers
    alice = register(a)
    bob = register(b)
    follow(alice, bob)
    posted = bob.api.post(
        "/api/v1/statuses",
        json={
            "status": "Tea or coffee?",
            "poll": {"options": ["tea", "coffee"], "expires_in": 3600, "multiple": True},
        },
    ).json()

    def copy() -> dict[str, Any] | None:
        home = alice.api.get("/api/v1/timelines/home").json()
        return next((s for s in home if s["uri"] == posted["uri"]), None)

    arrived = wait_for(copy, "the poll on A")
    poll = arrived["poll"]
    assert [o["title"] for o in poll["options"]] == ["tea", "coffee"]
    assert poll["multiple"] is True
    assert poll["expires_at"] is not None
    # Alice's votes (both choices) reach B, one Create(Note) per choice; a Misskey user of A
    # votes too (notes/polls/vote: one choice a call).
    r = alice.api.post(f"/api/v1/polls/{poll['id']}/votes", json={"choices": ["0", "1"]})
    assert r.status_code == 200, r.text
    assert (r.json()["voted"], r.json()["own_votes"]) == (True, [0, 1])
    carol = mk_user(a)
    carol.mk("notes/polls/vote", {"noteId": arrived["id"], "choice": 1})

    def counted() -> dict[str, Any] | None:
        shown = bob.api.get(f"/api/v1/polls/{posted['poll']['id']}").json()
        return shown if shown["voters_count"] == 2 else None

    on_b = wait_for(counted, "the votes on B")
    assert [o["votes_count"] for o in on_b["options"]] == [1, 2]
    assert on_b["votes_count"] == 3
    # A pin is an Add to the featured collection (served as the pinned Notes).
    assert bob.api.post(f"/api/v1/statuses/{posted['id']}/pin").status_code == 200
    featured = httpx.get(
        f"{posted['uri'].split('/statuses/')[0]}/collections/featured",
        headers={"Accept": "application/activity+json"},
    ).json()
    assert [n["id"] for n in featured["orderedItems"]] == [posted["uri"]]
    assert featured["orderedItems"][0]["type"] == "Question"


def test_reblog_and_edit_federate(servers: tuple[RunningServer, RunningServer]) -> None:
    a, b = servers
    alice = register(a)
    bob = register(b)
    follow(alice, bob)
    posted = bob.api.post("/api/v1/statuses", json={"status": "first words #fedtag"}).json()

    def copy() -> dict[str, Any] | None:
        home = alice.api.get("/api/v1/timelines/home").json()
        return next((s for s in home if s["uri"] == posted["uri"]), None)

    here = wait_for(copy, "the post on A")
    # A boost on A reaches B as a reblog notification and counts there.
    assert alice.api.post(f"/api/v1/statuses/{here['id']}/reblog").status_code == 200
    reblogs = wait_for(lambda: notifications(bob, "reblog"), "the Announce on B")
    assert reblogs[0]["account"]["acct"] == handle(alice)
    assert bob.api.get(f"/api/v1/statuses/{posted['id']}").json()["reblogs_count"] == 1
    # An edit on B reaches A.
    r = bob.api.put(f"/api/v1/statuses/{posted['id']}", json={"status": "second words #fedtag"})
    assert r.status_code == 200, r.text

    def edited() -> dict[str, Any] | None:
        shown = alice.api.get(f"/api/v1/statuses/{here['id']}").json()
        return shown if "second words" in shown["content"] else None

    assert wait_for(edited, "the Update(Note) on A")["edited_at"] is not None
    # A keeps the versions (the original first) and tells alice, who boosted it.
    history = alice.api.get(f"/api/v1/statuses/{here['id']}/history").json()
    assert ["first words" in v["content"] for v in history] == [True, False]
    assert "second words" in history[1]["content"]
    assert [v["account"]["acct"] for v in history] == [handle(bob)] * 2
    updates = wait_for(lambda: notifications(alice, "update"), "the update notification on A")
    assert updates[0]["status"]["id"] == here["id"]
    # Unboosting reaches B too.
    assert alice.api.post(f"/api/v1/statuses/{here['id']}/unreblog").status_code == 200
    wait_for(
        lambda: bob.api.get(f"/api/v1/statuses/{posted['id']}").json()["reblogs_count"] == 0,
        "the Undo(Announce) on B",
    )
    # The tag counts the remote author on A (Misskey's hashtags/show).
    mk = Misskey(a, sign_in(a, alice.username))
    tag = mk("hashtags/show", {"tag": "fedtag"})
    assert tag["attachedRemoteUsersCount"] == 0
    assert tag["mentionedRemoteUsersCount"] == 1


def test_account_deletion_reaches_other_servers(
    servers: tuple[RunningServer, RunningServer],
) -> None:
    a, b = servers
    alice = register(a)
    bob = register(b)
    bob_here = follow(alice, bob)
    alice_there = follow(bob, alice)
    bob_mk = Misskey(b, sign_in(b, bob.username))
    bob_mk.error("i/delete-account", {"password": "wrong"}, 400, "INCORRECT_PASSWORD")
    assert bob_mk("i/delete-account", {"password": bob.password}) is None
    # On B at once: the token is dead, the account is gone.
    assert bob.api.get("/api/v1/accounts/verify_credentials").status_code == 401
    assert httpx.get(f"{b.base_url}/api/v1/accounts/{bob.id}").json()["suspended"] is True
    assert alice_there
    # On A after the Delete: bob is gone and follows with him ended.
    wait_for(
        lambda: alice.api.get(f"/api/v1/accounts/{bob_here}").json().get("suspended"),
        "the Delete(Person) on A",
    )
    me = alice.api.get("/api/v1/accounts/verify_credentials").json()
    assert me["following_count"] == 0
    assert me["followers_count"] == 0
