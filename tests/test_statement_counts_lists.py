"""The list endpoints run a constant number of SQL statements, however many rows they show.

A server per backend reports `X-Statement-Count`. Its database gets bench/seed.py's network
at 1000 accounts (a celebrity with hundreds of followers, a viewer with follows, followers,
blocks, mutes, follow requests both ways, notes, endorsements and 200 favourites), plus
favourited statuses posted through two different apps. Each endpoint is asked for a few rows
and for many: an N+1 query shows as a difference.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/ is a package there

from bench.seed import VIEWER, VIEWER_EMAIL, VIEWER_PASSWORD, seed
from bench.seed_shape import Shape, account_id, locked_target, relationship_targets

from support.api import PASSWORD, Api, create_test_app, password_token, register
from support.misskey import Misskey, sign_in
from support.server import RunningServer

SHAPE = Shape(1000, 10_000)
# Measured: the caller's token, then one statement per query the list needs.
MOST = {"relationships": 3, "followers": 6, "favorites": 12}


@dataclass
class World:
    server: RunningServer
    api: Api  # the viewer, Mastodon dialect
    mk: Misskey  # the viewer, Misskey dialect
    targets: list[int]  # 40 accounts the viewer relates to in every way


def _app_token(server: RunningServer, username: str) -> str:
    """A token of a second OAuth app, so favourited statuses come from two applications."""
    app = create_test_app(server, "read write")
    r = Api(server).post(
        "/oauth/token",
        data={"grant_type": "password", "client_id": app.client_id,
              "client_secret": app.client_secret, "username": username,
              "password": PASSWORD, "scope": "read write"},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


@pytest.fixture(scope="module")
def world(backend: str) -> Iterator[World]:
    server = RunningServer(backend, report_statement_count=True).start()
    try:
        asyncio.run(seed(server.settings.resolved_database_url, SHAPE, lambda _line: None))
        token = password_token(server, VIEWER_EMAIL, VIEWER_PASSWORD, "read write follow")
        viewer = Misskey(server, sign_in(server, VIEWER, VIEWER_PASSWORD))
        poster = register(server)
        other_app = Api(server, _app_token(server, poster.email))
        posted = [poster.api.post("/api/v1/statuses", data={"status": "from the first app"})]
        posted += [other_app.post("/api/v1/statuses", data={"status": f"second app {n}"})
                   for n in range(2)]  # fmt: skip
        for r in posted:  # the newest two favourites come from one app, the next from another
            assert r.status_code == 200, r.text
            viewer("notes/favorites/create", {"noteId": r.json()["id"]})
        kinds = relationship_targets(SHAPE)
        rare = ("blocks", "blocked_by", "mutes", "requests_to_viewer", "notes", "endorsements")
        wanted = [locked_target(SHAPE), *(i for k in rare for i in kinds[k])]
        wanted += kinds["followers"] + kinds["follows"]  # mutual ones among them
        targets = [account_id(i) for i in dict.fromkeys(wanted)][:40]
        yield World(server, Api(server, token), viewer, targets)
    finally:
        server.close()


def _count(call: Callable[[], httpx.Response], what: str, rows: int) -> int:
    """Statements of a request, the fewest of three tries: the first use of a token, or the
    first request of the viewer in five minutes, also records when it was seen (a write),
    and that write makes the next try read the caller again (core/caller_cache.py)."""
    counts = []
    for _ in range(3):
        r = call()
        assert r.status_code == 200, f"{what}: {r.status_code} {r.text[:300]}"
        assert len(r.json()) == rows, f"{what}: {len(r.json())} rows instead of {rows}"
        counts.append(int(r.headers["X-Statement-Count"]))
    return min(counts)


def _same(few: int, many: int, what: str, most: int) -> None:
    assert few == many, f"{what}: {few} statements for a few rows, {many} for many (N+1)"
    assert many <= most, f"{what}: {many} statements, at most {most} expected"


def test_relationships_for_40_ids_cost_what_2_cost(world: World) -> None:
    what = "GET /api/v1/accounts/relationships"
    ids = [str(i) for i in world.targets]

    def relationships(n: int) -> httpx.Response:
        return world.api.get("/api/v1/accounts/relationships", params={"id[]": ids[:n]})

    few, many = (
        _count(lambda: relationships(2), what, 2),
        _count(lambda: relationships(40), what, 40),
    )
    _same(few, many, what, MOST["relationships"])
    # The 40 hold every kind of relationship, so no flag escaped the one query.
    shown = relationships(40).json()
    for flag in ("following", "followed_by", "blocking", "blocked_by", "muting", "requested",
                 "requested_by", "endorsed"):  # fmt: skip
        assert any(r[flag] for r in shown), f"{what}: no target with {flag}"
    assert any(r["note"] for r in shown), f"{what}: no target with a note"

    what = "POST /api/users/relation"
    few = _count(lambda: world.mk.raw("users/relation", {"userId": ids[:2]}), what, 2)
    many = _count(lambda: world.mk.raw("users/relation", {"userId": ids}), what, 40)
    _same(few, many, what, MOST["relationships"])


@pytest.mark.parametrize("side", ["followers", "following"])
def test_a_page_of_40_accounts_costs_what_2_cost(world: World, side: str) -> None:
    star = account_id(0)
    path = f"/api/v1/accounts/{star}/{side}"
    for api, who in ((world.api, "viewer"), (Api(world.server), "anonymous")):
        what = f"GET /api/v1/accounts/:id/{side} ({who})"
        few = _count(lambda api=api: api.get(path, params={"limit": 2}), what, 2)
        many = _count(lambda api=api: api.get(path, params={"limit": 40}), what, 40)
        _same(few, many, what, MOST["followers"])
        deeper = api.get(path, params={"limit": 40}).links["next"]["url"]
        deep = _count(lambda api=api, url=deeper: api.get(url), f"{what} next page", 40)
        _same(deep, many, f"{what} next page", MOST["followers"])

    what = f"POST /api/users/{side}"
    body = {"userId": str(star)}
    few = _count(lambda: world.mk.raw(f"users/{side}", {**body, "limit": 2}), what, 2)
    many = _count(lambda: world.mk.raw(f"users/{side}", {**body, "limit": 40}), what, 40)
    _same(few, many, what, MOST["followers"])
    until = world.mk.raw(f"users/{side}", {**body, "limit": 40}).json()[-1]["id"]
    deep = _count(
        lambda: world.mk.raw(f"users/{side}", {**body, "limit": 40, "untilId": until}), what, 40
    )
    _same(deep, many, f"{what} (untilId)", MOST["followers"])


def _favourites(world: World, limit: int, before: str | None = None) -> httpx.Response:
    return world.mk.raw("i/favorites", {"limit": limit, **({"untilId": before} if before else {})})


def test_favourites_of_10_cost_what_2_cost(world: World) -> None:
    # Past the three newest favourites (those statuses came through OAuth apps).
    before = _favourites(world, 3).json()[-1]["id"]
    what = "POST /api/i/favorites"
    few = _count(lambda: _favourites(world, 2, before), what, 2)
    many = _count(lambda: _favourites(world, 10, before), what, 10)
    _same(few, many, what, MOST["favorites"])

    what = "GET /api/v1/bookmarks"
    last = world.api.get("/api/v1/bookmarks", params={"limit": 3}).links["next"]["url"]
    max_id = httpx.URL(last).params["max_id"]
    few = _count(
        lambda: world.api.get("/api/v1/bookmarks", params={"limit": 2, "max_id": max_id}), what, 2
    )
    many = _count(
        lambda: world.api.get("/api/v1/bookmarks", params={"limit": 10, "max_id": max_id}), what, 10
    )
    _same(few, many, what, MOST["favorites"])


def test_favourites_from_several_apps_cost_what_one_app_costs(world: World) -> None:
    what = "POST /api/i/favorites (statuses posted through two apps)"
    few = _count(lambda: _favourites(world, 2), what, 2)  # both from the second app
    many = _count(lambda: _favourites(world, 10), what, 10)  # and one from the first
    _same(few, many, what, MOST["favorites"])
