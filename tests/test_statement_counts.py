"""SQL statements per request on the hot single-entity endpoints stay a small constant.

A server started with `report_statement_count` answers every request with
`X-Statement-Count`. The account looked at has what real accounts have (followers, a follow
request waiting, pinned posts with a reply and a mention, profile fields, unread
notifications), so a count cannot stay low by skipping an empty loop: a query per follower,
per pinned post or per field would show. Each request is sent twice before it is counted, so
the rare writes (a token's "last used" time) and first-use caches are out of the figure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from support.api import User, register, unique
from support.misskey import MkUser, mk_user, sign_in
from support.server import RunningServer

# The most statements each request may run (measured; the same on SQLite and PostgreSQL).
# Warm, everything comes from the worker's caches (core/caller_cache.py): the caller behind
# a token, accounts by id and by name, waiting follow requests, pinned ids, the badge counts,
# the relationship flags, and the pinned posts as the viewer sees them (kept until the next
# write anywhere; the scene writes nothing between the warm-up and the count).
VERIFY_CREDENTIALS = 0
ACCOUNT_ANONYMOUS = 0
ACCOUNT_WITH_TOKEN = 0
MISSKEY_I = 0
USERS_SHOW = {"userId": 0, "username": 0}


@dataclass
class Scene:
    server: RunningServer
    owner: User
    owner_mk: str  # the owner's native (Misskey sign-in) token
    viewer: MkUser


@pytest.fixture(scope="module")
def scene(backend: str) -> Iterator[Scene]:
    server = RunningServer(backend, report_statement_count=True).start()
    try:
        yield _populate(server)
    finally:
        server.close()


def _populate(server: RunningServer) -> Scene:
    owner = register(server, display_name="Owner", note="I have a profile")
    api = owner.api
    fields = {
        "fields_attributes[0][name]": "Site",
        "fields_attributes[0][value]": "https://example.com",
        "fields_attributes[1][name]": "Pronouns",
        "fields_attributes[1][value]": "they/them",
    }
    assert api.patch("/api/v1/accounts/update_credentials", data=fields).status_code == 200
    viewer = mk_user(server, display_name="Viewer")
    for follower in [viewer.mastodon, *(register(server) for _ in range(2))]:
        r = follower.api.post(f"/api/v1/accounts/{owner.id}/follow")
        assert r.status_code == 200, r.text
    assert api.post(f"/api/v1/accounts/{viewer.id}/follow").status_code == 200
    r = api.patch("/api/v1/accounts/update_credentials", data={"locked": "true"})
    assert r.status_code == 200, r.text
    late = register(server)
    assert late.api.post(f"/api/v1/accounts/{owner.id}/follow").json()["requested"]
    first = api.post("/api/v1/statuses", data={"status": f"hello @{viewer.username}"}).json()
    reply = api.post(
        "/api/v1/statuses", data={"status": "and more", "in_reply_to_id": first["id"]}
    ).json()
    for status in (first, reply):
        assert api.post(f"/api/v1/statuses/{status['id']}/pin").status_code == 200
    return Scene(server, owner, sign_in(server, owner.username), viewer)


def _count(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.headers["x-statement-count"])


def _measure(send: Any) -> tuple[int, httpx.Response]:
    send()  # the token's first use writes its "last used" time (a new cache generation)
    send()  # warm: fills this worker's caches (core/caller_cache.py)
    response = send()
    return _count(response), response


def _get(scene: Scene, path: str, token: str | None) -> tuple[int, httpx.Response]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with httpx.Client(base_url=scene.server.base_url, timeout=30) as client:
        return _measure(lambda: client.get(path, headers=headers))


def _misskey(scene: Scene, endpoint: str, token: str, body: dict[str, Any]) -> Any:
    with httpx.Client(base_url=scene.server.base_url, timeout=30) as client:
        return _measure(lambda: client.post(f"/api/{endpoint}", json={"i": token, **body}))


def test_verify_credentials(scene: Scene) -> None:
    count, r = _get(scene, "/api/v1/accounts/verify_credentials", scene.owner.token)
    body = r.json()
    assert body["source"]["follow_requests_count"] == 1
    assert body["followers_count"] == 3
    assert len(body["fields"]) == 2
    assert count <= VERIFY_CREDENTIALS, f"GET verify_credentials ran {count} statements"


def test_account_anonymous(scene: Scene) -> None:
    count, r = _get(scene, f"/api/v1/accounts/{scene.owner.id}", None)
    assert r.json()["followers_count"] == 3
    assert count <= ACCOUNT_ANONYMOUS, f"GET /api/v1/accounts/:id (anonymous) ran {count}"


def test_account_with_token(scene: Scene) -> None:
    count, r = _get(scene, f"/api/v1/accounts/{scene.owner.id}", scene.viewer.mastodon.token)
    assert r.json()["locked"] is True
    assert count <= ACCOUNT_WITH_TOKEN, f"GET /api/v1/accounts/:id (with token) ran {count}"


def test_misskey_i(scene: Scene) -> None:
    count, r = _misskey(scene, "i", scene.owner_mk, {})
    me = r.json()
    assert len(me["pinnedNotes"]) == 2
    assert len(me["fields"]) == 2
    assert me["hasPendingReceivedFollowRequest"] is True
    assert me["unreadNotificationsCount"] > 0  # the follows
    assert count <= MISSKEY_I, f"Misskey i ran {count} statements"


@pytest.mark.parametrize("by", ["userId", "username"])
def test_misskey_users_show(scene: Scene, by: str) -> None:
    key = {"userId": scene.owner.id} if by == "userId" else {"username": scene.owner.username}
    count, r = _misskey(scene, "users/show", scene.viewer.token, key)
    shown = r.json()
    assert len(shown["pinnedNotes"]) == 2
    assert shown["followersCount"] == 3
    assert shown["isFollowing"] is True
    assert shown["isFollowed"] is True
    assert count <= USERS_SHOW[by], f"Misskey users/show by {by} ran {count} statements"


def test_misskey_users_show_anonymous(scene: Scene) -> None:
    with httpx.Client(base_url=scene.server.base_url, timeout=30) as client:
        count, r = _measure(
            lambda: client.post("/api/users/show", json={"username": scene.owner.username})
        )
    assert len(r.json()["pinnedNotes"]) == 2
    assert count <= USERS_SHOW["username"], f"anonymous Misskey users/show ran {count}"


def test_misskey_users_show_of_oneself(scene: Scene) -> None:
    """One's own profile shows the user row the token brought (no read of it again)."""
    count, r = _misskey(scene, "users/show", scene.owner_mk, {"userId": scene.owner.id})
    assert r.json()["hasPendingReceivedFollowRequest"] is True
    assert count <= USERS_SHOW["userId"], f"Misskey users/show of oneself ran {count}"


def test_misskey_users_search_detail(scene: Scene) -> None:
    """users/search (detailed users, the default) loads the users found together: finding
    three users, each with a pinned post and a relation to the viewer, costs what finding
    one does."""
    prefix = unique("found")
    for letter in "abc":
        user = register(scene.server, f"{prefix}{letter}")
        status = user.api.post("/api/v1/statuses", data={"status": "pinned"}).json()
        assert user.api.post(f"/api/v1/statuses/{status['id']}/pin").status_code == 200
        scene.viewer.mastodon.api.post(f"/api/v1/accounts/{user.id}/follow")
    mk = httpx.Client(base_url=scene.server.base_url, timeout=30)

    def search(query: str) -> tuple[int, httpx.Response]:
        """Counted after a write: the profiles' pinned posts as shown are cached only until
        the next write anywhere, so this is the count a busy server sees."""
        body = {"i": scene.viewer.token, "query": query}
        mk.post("/api/users/search", json=body)
        mk.post("/api/users/search", json=body)
        write = {"i": scene.viewer.token, "key": "k", "value": query, "scope": ["counts"]}
        assert mk.post("/api/i/registry/set", json=write).status_code == 204
        response = mk.post("/api/users/search", json=body)
        return _count(response), response

    one, r = search(f"{prefix}a")
    assert [u["username"] for u in r.json()] == [f"{prefix}a"]
    three, r = search(prefix)
    assert len(r.json()) == 3, r.json()
    assert all(u["pinnedNotes"] for u in r.json()), r.json()
    assert three == one, f"users/search ran {one} statements for one user, {three} for three"
