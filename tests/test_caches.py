"""The per-worker caches (core/caller_cache.py) never answer with what a write replaced.

`tandem serve --workers 2`: every read is sent many times on fresh connections, so both
processes answer it, each from its own warm cache; right after a write (whichever process ran
it) every answer must show it. Then two servers on one database with separate data folders,
sharing only Redis: a write on one is seen at once on the other.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from support.api import User, register
from support.cli import tandem
from support.misskey import MkUser, mk_user
from support.server import ServerProcess

REDIS_URL = "redis://127.0.0.1:6379/0"
SPREAD = 16  # requests per check: with fresh connections both processes answer some


def _started(server: ServerProcess, workers: int) -> ServerProcess:
    server.start()
    deadline = time.monotonic() + 60
    while (server.data_dir / "server.log").read_text().count("Started worker-") < workers:
        assert time.monotonic() < deadline, "a worker did not start"
        time.sleep(0.05)
    return server


@pytest.fixture(scope="module")
def workers(backend: str) -> Iterator[ServerProcess]:
    server = _started(ServerProcess(backend, workers=2), 2)
    yield server
    server.close()


def _fresh() -> httpx.Client:
    """No connection reused, so the kernel hands each request to either process."""
    return httpx.Client(timeout=30, limits=httpx.Limits(max_keepalive_connections=0))


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _every(send: Callable[[httpx.Client], httpx.Response]) -> list[httpx.Response]:
    with _fresh() as client:
        return [send(client) for _ in range(SPREAD)]


def _statuses(send: Callable[[httpx.Client], httpx.Response]) -> set[int]:
    return {r.status_code for r in _every(send)}


def _values(send: Callable[[httpx.Client], httpx.Response], pick: Callable[[Any], Any]) -> set[Any]:
    found = set()
    for r in _every(send):
        assert r.status_code == 200, r.text
        found.add(pick(r.json()))
    return found


def _verify(base: str, token: str) -> Callable[[httpx.Client], httpx.Response]:
    url = f"{base}/api/v1/accounts/verify_credentials"
    return lambda c: c.get(url, headers=_bearer(token))


def _account(base: str, account_id: str, token: str | None = None) -> Any:
    url = f"{base}/api/v1/accounts/{account_id}"
    return lambda c: c.get(url, headers=_bearer(token) if token else {})


def _mk(base: str, endpoint: str, token: str, **body: Any) -> Any:
    return lambda c: c.post(f"{base}/api/{endpoint}", json={"i": token, **body})


def _views(base: str, me: MkUser, other: User) -> list[Any]:
    """Every cached read of `me`'s account: Mastodon (self, anonymous, another's token) and
    Misskey (`i`, `users/show`)."""
    return [
        _verify(base, me.mastodon.token),
        _account(base, me.id),
        _account(base, me.id, other.token),
        _mk(base, "i", me.token),
        _mk(base, "users/show", other.token, userId=me.id),
    ]


def _name(body: Any) -> Any:
    return body.get("display_name", body.get("name"))


def test_a_revoked_token_is_refused_by_every_worker(workers: ServerProcess) -> None:
    user = register(workers)
    check = _verify(workers.base_url, user.token)
    assert _statuses(check) == {200}  # both processes now hold the caller
    r = httpx.post(
        f"{workers.base_url}/oauth/revoke",
        data={
            "client_id": user.app.client_id,
            "client_secret": user.app.client_secret,
            "token": user.token,
        },
    )
    assert r.status_code == 200, r.text
    assert _statuses(check) == {401}


def test_a_revoked_misskey_token_is_refused_by_every_worker(workers: ServerProcess) -> None:
    me = mk_user(workers)
    check = _mk(workers.base_url, "i", me.token)
    assert _statuses(check) == {200}
    r = httpx.post(
        f"{workers.base_url}/api/i/regenerate-token", json={"i": me.token, "password": me.password}
    )
    assert r.status_code in (200, 204), r.text
    assert _statuses(check) == {401}


def test_profile_updates_are_seen_at_once_in_both_dialects(workers: ServerProcess) -> None:
    base = workers.base_url
    me, other = mk_user(workers, display_name="Before"), register(workers)
    views = _views(base, me, other)
    for view in views:
        assert _values(view, _name) == {"Before"}
    r = me.mastodon.api.patch(
        "/api/v1/accounts/update_credentials", data={"display_name": "From Mastodon"}
    )
    assert r.status_code == 200, r.text
    for view in views:
        assert _values(view, _name) == {"From Mastodon"}
    r = httpx.post(f"{base}/api/i/update", json={"i": me.token, "name": "From Misskey"})
    assert r.status_code == 200, r.text
    for view in views:
        assert _values(view, _name) == {"From Misskey"}


def _count(name: str) -> Callable[[Any], Any]:
    return lambda body: body[name]


def test_counters_move_at_once(workers: ServerProcess) -> None:
    base = workers.base_url
    me, other = register(workers), register(workers)
    mine = _verify(base, me.token)
    seen_by_other = _account(base, me.id, other.token)
    for field in ("followers_count", "following_count", "statuses_count"):
        assert _values(mine, _count(field)) == {0}
        assert _values(seen_by_other, _count(field)) == {0}
    assert other.api.post(f"/api/v1/accounts/{me.id}/follow").status_code == 200
    assert _values(mine, _count("followers_count")) == {1}
    assert _values(seen_by_other, _count("followers_count")) == {1}
    assert me.api.post(f"/api/v1/accounts/{other.id}/follow").status_code == 200
    assert _values(mine, _count("following_count")) == {1}
    r = me.api.post("/api/v1/statuses", data={"status": "counted"})
    assert r.status_code == 200, r.text
    assert _values(mine, _count("statuses_count")) == {1}
    assert _values(seen_by_other, _count("statuses_count")) == {1}
    assert other.api.post(f"/api/v1/accounts/{me.id}/unfollow").status_code == 200
    assert _values(mine, _count("followers_count")) == {0}
    assert me.api.delete(f"/api/v1/statuses/{r.json()['id']}").status_code == 200
    assert _values(mine, _count("statuses_count")) == {0}


def test_waiting_follow_requests_are_counted_at_once(workers: ServerProcess) -> None:
    me, other = register(workers), register(workers)
    r = me.api.patch("/api/v1/accounts/update_credentials", data={"locked": "true"})
    assert r.status_code == 200, r.text
    mine = _verify(workers.base_url, me.token)

    def waiting(body: Any) -> Any:
        return body["source"]["follow_requests_count"]

    assert _values(mine, waiting) == {0}
    assert other.api.post(f"/api/v1/accounts/{me.id}/follow").json()["requested"]
    assert _values(mine, waiting) == {1}
    r = me.api.post(f"/api/v1/follow_requests/{other.id}/authorize")
    assert r.status_code == 200, r.text
    assert _values(mine, waiting) == {0}
    assert _values(mine, _count("followers_count")) == {1}


def test_pins_are_shown_at_once(workers: ServerProcess) -> None:
    base = workers.base_url
    me, other = mk_user(workers), register(workers)
    mine = _mk(base, "i", me.token)
    shown = _mk(base, "users/show", other.token, userId=me.id)

    def pinned(body: Any) -> Any:
        return tuple(note["id"] for note in body["pinnedNotes"])

    api = me.mastodon.api
    first, second = (
        api.post("/api/v1/statuses", data={"status": text}).json()["id"] for text in "ab"
    )
    for view in (mine, shown):
        assert _values(view, pinned) == {()}
    for status in (first, second):
        assert api.post(f"/api/v1/statuses/{status}/pin").status_code == 200
    for view in (mine, shown):
        assert _values(view, pinned) == {(second, first)}
    assert api.post(f"/api/v1/statuses/{second}/unpin").status_code == 200
    for view in (mine, shown):
        assert _values(view, pinned) == {(first,)}
    assert api.delete(f"/api/v1/statuses/{first}").status_code == 200
    for view in (mine, shown):
        assert _values(view, pinned) == {()}


def test_a_pinned_note_s_counts_move_at_once(workers: ServerProcess) -> None:
    """Pinned posts as shown are kept until any write: a favourite of one shows at once."""
    base = workers.base_url
    me, other = mk_user(workers), register(workers)
    api = me.mastodon.api
    pinned = api.post("/api/v1/statuses", data={"status": "pinned"}).json()["id"]
    assert api.post(f"/api/v1/statuses/{pinned}/pin").status_code == 200
    views = (_mk(base, "i", me.token), _mk(base, "users/show", other.token, userId=me.id))

    def reactions(body: Any) -> Any:
        return body["pinnedNotes"][0]["reactionCount"]

    for view in views:
        assert _values(view, reactions) == {0}
    assert other.api.post(f"/api/v1/statuses/{pinned}/favourite").status_code == 200
    for view in views:
        assert _values(view, reactions) == {1}


def test_the_unread_badge_moves_at_once(workers: ServerProcess) -> None:
    base = workers.base_url
    me, other = mk_user(workers), register(workers)
    mine = _mk(base, "i", me.token)

    def unread(body: Any) -> Any:
        return body["unreadNotificationsCount"], body["hasUnreadNotification"]

    assert _values(mine, unread) == {(0, False)}
    assert other.api.post(f"/api/v1/accounts/{me.id}/follow").status_code == 200
    assert _values(mine, unread) == {(1, True)}
    r = other.api.post("/api/v1/statuses", data={"status": f"hi @{me.username}"})
    assert r.status_code == 200, r.text
    assert _values(mine, unread) == {(2, True)}
    # The mention's notification goes with its status (a cascade no write names).
    assert other.api.delete(f"/api/v1/statuses/{r.json()['id']}").status_code == 200
    assert _values(mine, unread) == {(1, True)}
    r = httpx.post(f"{base}/api/notifications/mark-all-as-read", json={"i": me.token})
    assert r.status_code in (200, 204), r.text
    assert _values(mine, unread) == {(0, False)}


def test_relation_flags_move_at_once(workers: ServerProcess) -> None:
    base = workers.base_url
    me, other = mk_user(workers), register(workers)
    shown = _mk(base, "users/show", me.token, userId=other.id)
    by_name = _mk(base, "users/show", me.token, username=other.username)
    flags = ("isFollowing", "isFollowed", "isBlocking", "isBlocked", "isMuted")

    def seen(*expected: str) -> None:
        want = tuple(flag in expected for flag in flags)
        for view in (shown, by_name):
            assert _values(view, lambda body: tuple(body[f] for f in flags)) == {want}

    seen()
    mine = me.mastodon.api
    assert mine.post(f"/api/v1/accounts/{other.id}/follow").status_code == 200
    seen("isFollowing")
    assert other.api.post(f"/api/v1/accounts/{me.id}/follow").status_code == 200
    seen("isFollowing", "isFollowed")
    r = httpx.post(f"{base}/api/mute/create", json={"i": me.token, "userId": other.id})
    assert r.status_code in (200, 204), r.text
    seen("isFollowing", "isFollowed", "isMuted")
    r = httpx.post(f"{base}/api/mute/delete", json={"i": me.token, "userId": other.id})
    assert r.status_code in (200, 204), r.text
    seen("isFollowing", "isFollowed")
    assert other.api.post(f"/api/v1/accounts/{me.id}/block").status_code == 200
    seen("isBlocked")  # a block ends the follows both ways
    assert other.api.post(f"/api/v1/accounts/{me.id}/unblock").status_code == 200
    seen()


def test_suspension_by_the_admin_cli_refuses_the_token_at_once(workers: ServerProcess) -> None:
    me, other = register(workers), register(workers)
    mine = _verify(workers.base_url, me.token)
    shown = _account(workers.base_url, me.id, other.token)
    assert _statuses(mine) == {200}
    assert _statuses(shown) == {200}
    tandem(workers, "admin", "suspend", me.username)
    assert 200 not in _statuses(mine)
    assert _values(shown, lambda body: body.get("suspended")) == {True}
    tandem(workers, "admin", "unsuspend", me.username)
    assert _statuses(mine) == {200}


@pytest.fixture(scope="module")
def two_hosts(backend: str) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two servers on one database, each with its own data folder: only Redis joins them.
    The second starts once the test's users exist (either server's job worker may send a
    sign-up's mail, into its own data folder)."""
    first = _started(ServerProcess(backend, redis_url=REDIS_URL), 1)
    second = ServerProcess(backend, redis_url=REDIS_URL, database_url=first.database.url)
    try:
        yield first, second
    finally:
        second.close()
        first.close()


def test_servers_sharing_redis_see_each_others_writes(
    two_hosts: tuple[ServerProcess, ServerProcess],
) -> None:
    first, second = two_hosts
    me = mk_user(first, display_name="Before")
    other = register(first)
    _started(second, 1)
    for host in (first, second):
        for view in _views(host.base_url, me, other):
            assert _values(view, _name) == {"Before"}
    r = httpx.patch(
        f"{first.base_url}/api/v1/accounts/update_credentials",
        headers=_bearer(me.mastodon.token),
        data={"display_name": "Changed on the first"},
    )
    assert r.status_code == 200, r.text
    for view in _views(second.base_url, me, other):
        assert _values(view, _name) == {"Changed on the first"}
    r = httpx.post(
        f"{second.base_url}/oauth/revoke",
        data={
            "client_id": other.app.client_id,
            "client_secret": other.app.client_secret,
            "token": other.token,
        },
    )
    assert r.status_code == 200, r.text
    assert _statuses(_verify(first.base_url, other.token)) == {401}
