"""Reblog folding (test_home_feed_folding.py) on a server keeping its home feeds in Redis: the
same scenarios must show the same home timelines as the table store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

import test_home_feed_folding as folding
from support.api import User
from support.server import RunningServer
from test_home_feeds_redis import REDIS_URL
from test_timelines import home_ids, wait_for


@pytest.fixture(scope="module")
def server(backend: str) -> Iterator[RunningServer]:
    """This module's server keeps its home feeds in Redis."""
    running = RunningServer(backend, redis_url=REDIS_URL).start()
    try:
        yield running
    finally:
        running.close()


@pytest.fixture(scope="module")
def ready() -> Iterator[folding.Ready]:
    """Builds a reader's Redis feed (a first read queues it) and waits for it."""
    client = redis.Redis.from_url(REDIS_URL)

    def build(user: User) -> None:
        home_ids(user)
        wait_for(lambda: client.get(f"feed:{user.id}:floor") not in (None, b"building"))

    yield build
    client.close()


CHECKS = [
    folding.check_a_reblog_of_a_status_near_the_top_folds,
    folding.check_a_reblog_of_an_older_status_shows,
    folding.check_an_original_after_its_reblog_is_not_added,
    folding.check_undoing_the_shown_reblog_puts_a_held_one_back,
    folding.check_a_held_reblog_undone_first_never_comes_back,
    folding.check_unfollowing_the_shown_reblogger_puts_a_held_one_back,
    folding.check_a_held_reblog_of_an_unfollowed_account_is_not_put_back,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__.removeprefix("check_"))
def test_folding(
    server: RunningServer, ready: folding.Ready, check: Callable[[RunningServer, Any], None]
) -> None:
    check(server, ready)
