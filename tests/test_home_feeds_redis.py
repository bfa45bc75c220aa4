"""Home feeds in Redis (`redis_url` set): the home timeline tests of both dialects run again
on a Redis-configured server, plus what only the Redis store does (rebuilding a missing feed,
the cap with reading beyond it, reblog deduplication, nothing written for a rolled back
status) and the table's cap.

Each test server here uses a Redis database of its own (by xdist worker), and feeds are keyed
by account ids, which are unique across servers, so parallel runs never share a feed.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest
import redis

import test_misskey_timelines as mk_timelines
import test_timelines as timelines
from support.api import User, register
from support.server import RunningServer
from tandem.core import home_feeds
from tandem.store.db import Database, after_commit
from test_timelines import follow, home_ids, ids, post, wait_for


def _redis_db() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    return 2 + (int(worker) if worker.isdigit() else 0) % 14


REDIS_URL = f"redis://127.0.0.1:6379/{_redis_db()}"


@pytest.fixture(scope="module")
def server(backend: str) -> Iterator[RunningServer]:
    """This module's server keeps its home feeds in Redis."""
    running = RunningServer(backend, redis_url=REDIS_URL).start()
    try:
        yield running
    finally:
        running.close()


@pytest.fixture(scope="module")
def rdb() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL)
    yield client
    client.close()


@pytest.fixture
def reblog_falloff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mastodon's reblog folding at its window of 40 (the default now, in both stores:
    test_home_feed_folding*.py), whatever the default becomes."""
    monkeypatch.setattr(home_feeds, "REBLOG_FALLOFF", 40)


# The home timeline tests of both dialects, on this module's Redis-backed server.
test_home_shows_follows_and_own_posts_newest_first = (
    timelines.test_home_shows_follows_and_own_posts_newest_first
)
test_follow_merges_and_unfollow_purges = timelines.test_follow_merges_and_unfollow_purges
test_show_reblogs_false_and_reblogs = timelines.test_show_reblogs_false_and_reblogs
test_replies_reach_home_only_when_both_sides_are_followed = (
    timelines.test_replies_reach_home_only_when_both_sides_are_followed
)
test_visibility = timelines.test_visibility
test_lists_exclusive_and_replies_policy = timelines.test_lists_exclusive_and_replies_policy
test_posts_cross_between_dialects = mk_timelines.test_posts_cross_between_dialects
test_local_global_and_hybrid = mk_timelines.test_local_global_and_hybrid
test_word_mutes_and_user_mutes = mk_timelines.test_word_mutes_and_user_mutes


def test_home_timeline_options_and_paging(server: RunningServer) -> None:
    mk_timelines.test_home_timeline_options_and_paging(server)


def test_mutes_and_blocks_hide_at_once(server: RunningServer) -> None:
    timelines.test_mutes_and_blocks_hide_at_once(server)


def test_fan_out_of_a_popular_account_runs_in_a_job(
    server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    timelines.test_fan_out_of_a_popular_account_runs_in_a_job(server, monkeypatch)


def _built(rdb: redis.Redis, user: User) -> None:
    """Read the home feed once (a missing feed is queued for rebuilding) and wait for it."""
    home_ids(user)
    wait_for(lambda: rdb.get(f"feed:{user.id}:floor") not in (None, b"building"))


def _feed(rdb: redis.Redis, user: User) -> list[str]:
    return [m.decode() for m in rdb.zrevrange(f"feed:{user.id}", 0, -1)]


def _all_pages(user: User, limit: int) -> list[str]:
    seen: list[str] = []
    params: dict[str, Any] = {"limit": limit}
    while True:
        page = home_ids(user, **params)
        if not page:
            return seen
        seen += page
        params["max_id"] = page[-1]


def test_posts_land_in_redis_and_a_missing_feed_is_rebuilt(
    server: RunningServer, rdb: redis.Redis
) -> None:
    alice, bob = register(server), register(server)
    follow(bob, alice)
    _built(rdb, bob)
    first = post(alice, "into redis")
    wait_for(lambda: first["id"] in _feed(rdb, bob))
    assert home_ids(bob) == [first["id"]]
    # Flushed (or expired): the page is built from the database, and the feed again.
    rdb.delete(f"feed:{bob.id}", f"feed:{bob.id}:floor", f"feed:{bob.id}:reblogs")
    second = post(alice, "while the feed is gone")
    assert home_ids(bob) == [second["id"], first["id"]]
    wait_for(lambda: _feed(rdb, bob) == [second["id"], first["id"]])
    wait_for(lambda: rdb.get(f"feed:{bob.id}:regen") is None)  # the guard goes when built
    # A deleted status drops out of the page though its id stays in Redis.
    assert alice.api.delete(f"/api/v1/statuses/{second['id']}").status_code == 200
    assert home_ids(bob) == [first["id"]]


def test_feed_is_capped_and_older_pages_come_from_the_database(
    server: RunningServer, rdb: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(home_feeds, "MAX_ITEMS", 5)
    alice, bob = register(server), register(server)
    follow(bob, alice)
    _built(rdb, bob)
    made = [post(alice, f"number {n}")["id"] for n in range(12)]
    newest_first = list(reversed(made))
    wait_for(lambda: _feed(rdb, bob) == newest_first[:5])
    assert int(rdb.get(f"feed:{bob.id}:floor") or 0) >= int(made[6])
    assert home_ids(bob, limit=40) == newest_first
    assert _all_pages(bob, 3) == newest_first
    assert home_ids(bob, max_id=made[3]) == newest_first[-3:]
    assert home_ids(bob, min_id=made[2], limit=2) == [made[4], made[3]]
    assert home_ids(bob, since_id=made[8]) == newest_first[:3]


@pytest.mark.usefixtures("reblog_falloff")
def test_reblogs_of_what_the_feed_shows_are_not_added_again(
    server: RunningServer, rdb: redis.Redis
) -> None:
    alice, bob, carol, dave = (register(server) for _ in range(4))
    for other in (alice, carol, dave):
        follow(bob, other)
    _built(rdb, bob)
    original = post(alice, "worth sharing")
    wait_for(lambda: original["id"] in _feed(rdb, bob))
    boost = carol.api.post(f"/api/v1/statuses/{original['id']}/reblog").json()
    elsewhere = post(dave, "something else")
    wait_for(lambda: elsewhere["id"] in _feed(rdb, bob))
    assert boost["id"] not in home_ids(bob)  # the original is near the top already
    # A status bob does not have yet, reblogged twice: the first reblog only.
    other = post(register(server), "from a stranger")
    first = carol.api.post(f"/api/v1/statuses/{other['id']}/reblog").json()
    second = dave.api.post(f"/api/v1/statuses/{other['id']}/reblog").json()
    wait_for(lambda: first["id"] in _feed(rdb, bob))
    shown = home_ids(bob)
    assert first["id"] in shown
    assert second["id"] not in shown


def test_a_rolled_back_write_never_runs_its_after_commit_work(server: RunningServer) -> None:
    ran: list[str] = []

    async def scenario() -> None:
        db = Database(server.settings.resolved_database_url)
        try:

            async def note(what: str) -> None:
                ran.append(what)

            async def failing() -> None:
                async with db.write():
                    after_commit(lambda: note("rolled back"))
                    raise RuntimeError("the transaction fails")

            with pytest.raises(RuntimeError):
                await failing()
            async with db.write():
                after_commit(lambda: note("committed"))
                assert ran == []  # not before the commit
        finally:
            await db.dispose()

    asyncio.run(scenario())
    assert ran == ["committed"]


def test_table_feeds_are_pruned_and_read_beyond_the_cap(
    make_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = make_server()  # no redis_url: the table
    monkeypatch.setattr(home_feeds, "MAX_ITEMS", 5)
    alice, bob = register(table), register(table)
    follow(bob, alice)
    made = [post(alice, f"table {n}")["id"] for n in range(12)]
    newest_first = list(reversed(made))

    async def prune() -> None:
        db = Database(table.settings.resolved_database_url)
        try:
            await home_feeds.prune(db)
        finally:
            await db.dispose()

    asyncio.run(prune())
    assert _all_pages(bob, 3) == newest_first
    assert home_ids(bob, max_id=made[3]) == newest_first[-3:]
    assert (
        ids(bob.api.get("/api/v1/timelines/home", params={"limit": 40}).json())[:5]
        == (newest_first[:5])
    )
