"""bench/seed.py builds a network tandem serves as its own: counters equal the rows, the viewer
signs in, search finds seeded names, and a second run grows the database instead of
starting again."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/ is a package there

from bench.seed import VIEWER, VIEWER_EMAIL, VIEWER_PASSWORD, add_local_accounts, seed
from bench.seed_shape import Shape, account_id, display_name, relationship_targets, username
from bench.seed_sql import connect

from support.api import Api, password_token
from support.misskey import sign_in
from support.server import RunningServer

SHAPE = Shape(1000, 10_000)
MISMATCHED = """
SELECT COUNT(*) FROM accounts a WHERE
  a.followers_count <> (SELECT COUNT(*) FROM follows f WHERE f.target_account_id = a.id)
  OR a.following_count <> (SELECT COUNT(*) FROM follows f WHERE f.account_id = a.id)
  OR a.statuses_count <> (SELECT COUNT(*) FROM statuses s WHERE s.account_id = a.id)
"""


async def _rows(url: str, sql: str) -> int:
    async with connect(url, bulk=False) as db:
        return int(await db.value(sql))


@pytest.fixture(scope="module")
def seeded(backend: str) -> Iterator[Api]:
    server = RunningServer(backend)
    server.start()
    url = server.settings.resolved_database_url
    asyncio.run(seed(url, SHAPE, lambda _line: None))
    yield Api(server, password_token(server, VIEWER_EMAIL, VIEWER_PASSWORD, "read"))
    server.close()


def _follows_of(api: Api, account: int, column: str) -> int:
    url = api.server.settings.resolved_database_url
    return asyncio.run(_rows(url, f"SELECT COUNT(*) FROM follows WHERE {column} = {account}"))


def test_counters_equal_rows_and_grow_with_the_network(seeded: Api) -> None:
    url = seeded.server.settings.resolved_database_url
    for shape in (SHAPE, Shape(2000, 20_000)):
        if shape.accounts > 1000:  # grown under the running server, which forgets its caches
            data = seeded.server.settings.data_dir
            asyncio.run(seed(url, shape, lambda _line: None, server_data_dir=data))
        assert asyncio.run(_rows(url, MISMATCHED)) == 0
        total = asyncio.run(_rows(url, "SELECT COUNT(*) FROM follows"))
        assert 0.9 * shape.follows < total < 1.2 * shape.follows, total
        star = seeded.get(f"/api/v1/accounts/{account_id(0)}").json()
        assert star["username"] == username(0)
        assert star["followers_count"] == _follows_of(seeded, account_id(0), "target_account_id")
        assert star["following_count"] == _follows_of(seeded, account_id(0), "account_id")
        # Skewed like a real network: the celebrity has 40% of everyone as followers.
        assert 0.3 * shape.accounts < star["followers_count"] < 0.5 * shape.accounts
        newest = seeded.get(f"/api/v1/accounts/{account_id(shape.accounts - 1)}")
        assert newest.status_code == 200, newest.text
    seeded_ids = f"SELECT COUNT(*) FROM accounts WHERE id <= {account_id(2000)}"
    assert asyncio.run(_rows(url, seeded_ids)) == 2000
    viewers = f"SELECT COUNT(*) FROM accounts WHERE username_key = '{VIEWER}'"
    assert asyncio.run(_rows(url, viewers)) == 1  # made once, not again when growing


def test_the_viewer_signs_in_and_has_favourites(seeded: Api) -> None:
    me = seeded.get("/api/v1/accounts/verify_credentials").json()
    assert me["username"] == VIEWER
    assert me["following_count"] > 30
    assert len(seeded.get("/api/v1/bookmarks", params={"limit": 40}).json()) == 40
    assert sign_in(seeded.server, VIEWER, VIEWER_PASSWORD)


def test_seeded_names_are_searchable(seeded: Api) -> None:
    someone = next(i for i in range(500, 1000) if len(display_name(i).split()) == 2)
    name = username(someone)
    found = seeded.get("/api/v1/accounts/search", params={"q": name, "limit": 5}).json()
    assert found[0]["id"] == str(account_id(someone))  # the exact username comes first
    prefix = display_name(someone).split()[-1][:3].lower()  # of the last name
    found = seeded.get("/api/v1/accounts/search", params={"q": prefix, "limit": 40}).json()
    assert str(account_id(someone)) in [a["id"] for a in found] or len(found) == 40
    for a in found:
        words = [a["username"], *a["display_name"].lower().split()]
        assert any(w.startswith(prefix) for w in words), (prefix, a["username"])


def test_local_accounts_are_added_to_a_running_server(seeded: Api) -> None:
    url = seeded.server.settings.resolved_database_url
    ids = asyncio.run(add_local_accounts(url, ["added_one", "added_two"]))
    assert len(ids) == 2
    shown = seeded.get("/api/v1/accounts/lookup", params={"acct": "added_two"}).json()
    assert shown["id"] == str(ids[1])
    found = seeded.get("/api/v1/accounts/search", params={"q": "added_"}).json()
    assert [a["username"] for a in found] == ["added_one", "added_two"]


def test_search_pages_are_full_disjoint_and_ordered(seeded: Api) -> None:
    def search(q: str, limit: int, offset: int = 0) -> list[str]:
        params = {"q": q, "limit": limit, "offset": offset}
        return [a["username"] for a in seeded.get("/api/v1/accounts/search", params=params).json()]

    whole = search("ali", 30)
    pages = search("ali", 10) + search("ali", 10, 10) + search("ali", 10, 20)
    assert len(whole) == 30
    assert pages == whole  # offsets page through one stable order
    # The exact username first, then the rest of the username matches in order.
    assert search("alice", 5)[0] == "alice"
    named = search("alice", 40)
    by_username = [u for u in named if u.startswith("alice")]
    assert by_username == sorted(by_username)
    # Blocked accounts are not found, even by their exact username.
    blocked = username(relationship_targets(SHAPE)["blocks"][0])
    assert blocked not in search(blocked, 40)
