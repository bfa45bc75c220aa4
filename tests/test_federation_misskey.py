"""Other servers' users and notes in the Misskey dialect, between two tandem servers on
loopback: users/show with a host (resolved through WebFinger), ap/show and ap/get, search by
host, `alsoKnownAs` naming a remote account, and imports of follows and blocks naming remote
handles (a follow waits as a request until the other server accepts it)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any, TypeVar

import httpx
import pytest

from support.cli import tandem
from support.federation import server_pair, wait_for
from support.misskey import Misskey, MkUser, mk_user
from support.server import RunningServer
from support.ts_schemas import assert_valid

T = TypeVar("T")
AP_JSON = {"Accept": "application/activity+json"}


@pytest.fixture(scope="module")
def servers(backend: str) -> Iterator[tuple[RunningServer, RunningServer]]:
    with server_pair(backend) as pair:
        yield pair


def domain(server: RunningServer) -> str:
    return server.settings.domain


def actor(user: MkUser) -> str:
    return f"{user.server.base_url}/ap/users/{user.id}"


def remote_id(viewer: MkUser, other: MkUser) -> str:
    """The id `viewer`'s server gives `other` (resolved by users/show with a host)."""
    shown = viewer.mk("users/show", {"username": other.username, "host": domain(other.server)})
    return str(shown["id"])


def test_users_show_with_host(servers: tuple[RunningServer, RunningServer]) -> None:
    a, b = servers
    alice = mk_user(a)
    bob = mk_user(b, display_name="Bob of B", note="from the other side")
    shown = alice.mk("users/show", {"username": bob.username, "host": domain(b)})
    assert_valid("users/show", shown, endpoint=True)
    assert shown["username"] == bob.username
    assert shown["host"] == domain(b)
    assert shown["name"] == "Bob of B"
    assert shown["description"] == "from the other side"
    assert shown["uri"] == actor(bob)
    assert shown["url"] == f"{b.base_url}/@{bob.username}"
    assert shown["avatarUrl"].startswith("http")
    assert shown["lastFetchedAt"] is not None
    assert shown["isFollowing"] is False
    # Stored now: by id, and by name again (no second WebFinger needed), also anonymously.
    assert alice.mk("users/show", {"userId": shown["id"]})["uri"] == actor(bob)
    anonymous = Misskey(a)("users/show", {"username": bob.username, "host": domain(b)})
    assert anonymous["id"] == shown["id"]
    # The host is matched whatever its case; the local server's own name is local.
    upper = alice.mk("users/show", {"username": bob.username.upper(), "host": domain(b).upper()})
    assert upper["id"] == shown["id"]
    assert alice.mk("users/show", {"username": alice.username, "host": domain(a)})["id"] == (
        alice.id
    )

    for missing in (
        {"username": "nobody_there", "host": domain(b)},
        {"username": bob.username, "host": "nowhere.invalid"},
        {"username": "nobody_here"},
    ):
        alice.mk.error("users/show", missing, 400, "NO_SUCH_USER")


def test_ap_show_user_and_note(servers: tuple[RunningServer, RunningServer]) -> None:
    a, b = servers
    alice, bob = mk_user(a), mk_user(b)
    note = bob.mk("notes/create", {"text": "hello from B"})["createdNote"]
    note_uri = f"{actor(bob)}/statuses/{note['id']}"

    found = alice.mk("ap/show", {"uri": actor(bob)})
    assert_valid("ap/show", found, endpoint=True)
    assert found["type"] == "User"
    assert found["object"]["host"] == domain(b)
    assert found["object"]["username"] == bob.username
    assert found["object"]["id"] == remote_id(alice, bob)

    shown = alice.mk("ap/show", {"uri": note_uri})
    assert_valid("ap/show", shown, endpoint=True)
    assert shown["type"] == "Note"
    assert shown["object"]["text"] == "hello from B"
    assert shown["object"]["uri"] == note_uri
    assert shown["object"]["user"]["host"] == domain(b)
    assert shown["object"]["userId"] == found["object"]["id"]
    assert alice.mk("notes/show", {"noteId": shown["object"]["id"]})["text"] == "hello from B"
    # Asked again: the stored note, the same id.
    assert alice.mk("ap/show", {"uri": note_uri})["object"]["id"] == shown["object"]["id"]

    # This server's own objects are shown without a request.
    mine = alice.mk("notes/create", {"text": "hello from A"})["createdNote"]
    own = alice.mk("ap/show", {"uri": f"{actor(alice)}/statuses/{mine['id']}"})
    assert own["type"] == "Note"
    assert own["object"]["id"] == mine["id"]
    assert alice.mk("ap/show", {"uri": actor(alice)})["object"]["id"] == alice.id

    alice.mk.error("ap/show", {"uri": "not a uri"}, 400, "URI_INVALID")
    alice.mk.error("ap/show", {"uri": "ftp://example.org/x"}, 400, "URI_INVALID")
    alice.mk.error("ap/show", {"uri": f"{a.base_url}/nothing/here"}, 400, "NO_SUCH_OBJECT")
    alice.mk.error("ap/show", {"uri": f"{actor(alice)}/statuses/1"}, 400, "NO_SUCH_OBJECT")
    alice.mk.error("ap/show", {"uri": f"{b.base_url}/ap/users/1"}, 400, "REQUEST_FAILED")
    Misskey(a).error("ap/show", {"uri": actor(bob)}, 401, "CREDENTIAL_REQUIRED")


def test_ap_get_is_for_administrators(servers: tuple[RunningServer, RunningServer]) -> None:
    a, b = servers
    admin, moderator, someone, bob = mk_user(a), mk_user(a), mk_user(a), mk_user(b)
    tandem(a, "admin", "set-role", admin.username, "admin")
    tandem(a, "admin", "set-role", moderator.username, "moderator")
    document = admin.mk("ap/get", {"uri": actor(bob)})
    assert document["id"] == actor(bob)
    assert document["type"] == "Person"
    assert document["preferredUsername"] == bob.username
    assert "publicKey" in document
    admin.mk.error("ap/get", {"uri": "nope"}, 400, "URI_INVALID")
    admin.mk.error("ap/get", {"uri": f"{b.base_url}/ap/users/1"}, 400, "REQUEST_FAILED")
    for refused in (moderator, someone):
        refused.mk.error("ap/get", {"uri": actor(bob)}, 403, "ROLE_PERMISSION_DENIED")


def test_search_by_host(servers: tuple[RunningServer, RunningServer]) -> None:
    a, b = servers
    alice = mk_user(a)
    prefix = "fedsearch" + str(time.monotonic_ns())[-6:]
    here = mk_user(a, username=prefix + "a")
    there = mk_user(b, username=prefix + "b")
    there_id = remote_id(alice, there)

    def found(body: dict[str, Any]) -> list[str]:
        answer = alice.mk("users/search-by-username-and-host", body)
        assert_valid("users/search-by-username-and-host", answer, endpoint=True)
        return [u["id"] for u in answer]

    assert found({"username": prefix, "host": domain(b)}) == [there_id]
    assert found({"username": prefix, "host": domain(b).upper(), "detail": False}) == [there_id]
    assert found({"username": prefix, "host": "."}) == [here.id]
    assert found({"username": prefix, "host": domain(a)}) == [here.id]
    assert sorted(found({"username": prefix})) == sorted([here.id, there_id])
    assert found({"username": prefix, "host": "elsewhere.invalid"}) == []

    remote_only = alice.mk("users/search", {"query": prefix, "origin": "remote"})
    assert [u["id"] for u in remote_only] == [there_id]
    assert remote_only[0]["host"] == domain(b)
    local_only = alice.mk("users/search", {"query": prefix, "origin": "local"})
    assert [u["id"] for u in local_only] == [here.id]
    handle = alice.mk("users/search", {"query": f"{there.username}@{domain(b)}"})
    assert [u["id"] for u in handle] == [there_id]


def test_also_known_as(servers: tuple[RunningServer, RunningServer]) -> None:
    a, b = servers
    alice, friend, viewer = mk_user(a), mk_user(a), mk_user(a)
    bob = mk_user(b)
    me = alice.mk(
        "i/update", {"alsoKnownAs": [f"@{bob.username}@{domain(b)}", f"@{friend.username}"]}
    )
    assert_valid("i/update", me, endpoint=True)
    bob_here = remote_id(alice, bob)
    assert me["alsoKnownAs"] == [bob_here, friend.id]
    assert alice.mk("i")["alsoKnownAs"] == [bob_here, friend.id]
    seen = viewer.mk("users/show", {"userId": alice.id})
    assert seen["alsoKnownAs"] == [bob_here, friend.id]
    assert seen["movedTo"] is None
    # The actor document names the accounts by their ActivityPub ids.
    document = httpx.get(actor(alice), headers=AP_JSON).json()
    assert document["alsoKnownAs"] == [actor(bob), actor(friend)]
    # Handles, a bare username and an actor URI naming the same account count once.
    again = alice.mk(
        "i/update",
        {"alsoKnownAs": [friend.username, f"@{friend.username}@{domain(a)}", actor(friend)]},
    )
    assert again["alsoKnownAs"] == [friend.id]
    # The other server shows the aliases of the account it fetched as its own ids.
    friend_on_b = remote_id(bob, friend)
    alice_on_b = bob.mk("users/show", {"username": alice.username, "host": domain(a)})
    assert alice_on_b["alsoKnownAs"] == [friend_on_b]

    alice.mk.error("i/update", {"alsoKnownAs": [f"nobody_there@{domain(b)}"]}, 400, "NO_SUCH_USER")
    alice.mk.error("i/update", {"alsoKnownAs": ["nobody_here"]}, 400, "NO_SUCH_USER")
    alice.mk.error("i/update", {"alsoKnownAs": [alice.username]}, 400, "FORBIDDEN_TO_SET_YOURSELF")
    alice.mk.error("i/update", {"alsoKnownAs": ["x", "x"]}, 400, "INVALID_PARAM")
    alice.mk.error("i/update", {"alsoKnownAs": [f"u{i}" for i in range(11)]}, 400, "INVALID_PARAM")
    assert alice.mk("i")["alsoKnownAs"] == [friend.id]  # unchanged by the refusals
    # Other changes go with the aliases; an empty list clears them.
    cleared = alice.mk("i/update", {"alsoKnownAs": [], "name": "Alice"})
    assert cleared["alsoKnownAs"] is None
    assert cleared["name"] == "Alice"


def notifications(user: MkUser, kind: str) -> list[dict[str, Any]]:
    return [
        n
        for n in user.mk("i/notifications", {"markAsRead": False, "limit": 100})
        if n["type"] == kind
    ]


def imported(user: MkUser, what: str, content: str) -> str:
    """Run one import from a CSV file; the body of its notification."""
    before = len(notifications(user, "app"))
    file = user.mk.upload(content.encode(), f"{what}.csv", "text/csv")
    user.mk(f"i/import-{what}", {"fileId": file["id"]})
    done = wait_for(
        lambda: (found := notifications(user, "app")) and len(found) > before and found,
        f"the {what} import",
        60,
    )
    return str(done[0]["body"])  # (newest first)


def test_imports_with_remote_handles(servers: tuple[RunningServer, RunningServer]) -> None:
    a, b = servers
    carol = mk_user(a)
    open_one, locked, blocked = mk_user(b), mk_user(b), mk_user(b)
    locked.mk("i/update", {"isLocked": True})
    body = imported(
        carol,
        "following",
        f"{open_one.username}@{domain(b)}\n@{locked.username}@{domain(b)}\n"
        f"nobody_there@{domain(b)}\n",
    )
    assert body == "2 imported, 1 skipped (unknown or unavailable)."

    open_here, locked_here = remote_id(carol, open_one), remote_id(carol, locked)

    def relation(target: str) -> dict[str, Any]:
        return dict(carol.mk("users/relation", {"userId": target}))

    # The open account's server accepts at once; B shows carol among its followers.
    wait_for(lambda: relation(open_here)["isFollowing"], "the Accept")
    followers = open_one.mk("users/followers", {"userId": open_one.id})
    assert [(f["follower"]["username"], f["follower"]["host"]) for f in followers] == [
        (carol.username, domain(a))
    ]
    # The locked one's follow waits as a request on both sides until it is accepted.
    assert relation(locked_here)["hasPendingFollowRequestFromYou"] is True
    assert relation(locked_here)["isFollowing"] is False
    requests = wait_for(lambda: locked.mk("following/requests/list"), "the request on B")
    carol_on_b = requests[0]["follower"]
    assert (carol_on_b["username"], carol_on_b["host"]) == (carol.username, domain(a))
    locked.mk("following/requests/accept", {"userId": carol_on_b["id"]})
    wait_for(lambda: relation(locked_here)["isFollowing"], "the accepted request")
    assert relation(locked_here)["hasPendingFollowRequestFromYou"] is False

    body = imported(carol, "blocking", f"{blocked.username}@{domain(b)}\n")
    assert body == "1 imported, 0 skipped (unknown or unavailable)."
    assert relation(remote_id(carol, blocked))["isBlocking"] is True


def test_moved_to_and_a_moved_account(servers: tuple[RunningServer, RunningServer]) -> None:
    a, b = servers
    old, new_here = mk_user(a), mk_user(a)
    new_there = mk_user(b)
    # The new account (on the other server) names the old one, which then moves to it.
    new_there.mk("i/update", {"alsoKnownAs": [f"@{old.username}@{domain(a)}"]})
    old.mk("i/move", {"moveToAccount": f"@{new_there.username}@{domain(b)}"})
    new_id = remote_id(old, new_there)
    assert new_here.mk("users/show", {"userId": old.id})["movedTo"] == new_id
    assert old.mk("i")["movedTo"] == new_id
    # Aliases cannot change once moved.
    old.mk.error("i/update", {"alsoKnownAs": [f"@{new_here.username}"]}, 403, "YOUR_ACCOUNT_MOVED")
