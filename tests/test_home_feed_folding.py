"""Reblog folding in home feeds (Mastodon's FeedManager, REBLOG_FALLOFF = 40), over HTTP: a
reblog is not added to a home feed whose 40 newest entries hold its original or another
reblog of it (that one is held back, and takes the shown reblog's place when it is undone or
deleted); an original is not added while a reblog of it is among them; a reblog of an older
status shows. Both dialects read the same feed (Misskey's `notes/timeline`).

These scenarios run on the table store here and on the Redis store in
test_home_feed_folding_redis.py (`ready` builds a reader's Redis feed first: a missing one is
read from the database, which does not fold, as Mastodon's `from_database`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from support.api import User, register
from support.misskey import MkUser, mk_user
from support.server import RunningServer
from tandem.core import home_feeds
from test_timelines import follow, home_ids, post, wait_for

Ready = Callable[[User], None]


def _no_build(user: User) -> None:
    """The table store's feeds need no building."""


def _reader(server: RunningServer, ready: Ready, *followed: User) -> MkUser:
    reader = mk_user(server)
    for other in followed:
        follow(reader.mastodon, other)
    ready(reader.mastodon)
    return reader


def _home(reader: MkUser) -> list[str]:
    """The reader's home through both dialects, which must agree."""
    mastodon = home_ids(reader.mastodon, limit=40)
    misskey = [str(n["id"]) for n in reader.mk("notes/timeline", {"limit": 40})]
    assert mastodon == misskey
    return mastodon


def _reblog(user: User, status: dict[str, Any]) -> str:
    r = user.api.post(f"/api/v1/statuses/{status['id']}/reblog")
    assert r.status_code == 200, r.text
    return str(r.json()["id"])


def _settled(reader: MkUser, marker: User) -> dict[str, Any]:
    """A status by `marker` (followed), once it shows: what came before it has landed."""
    made = post(marker, "marker")
    wait_for(lambda: made["id"] in home_ids(reader.mastodon))
    return made


def check_a_reblog_of_a_status_near_the_top_folds(server: RunningServer, ready: Ready) -> None:
    bob, carol, dave = register(server), register(server), register(server)
    reader = _reader(server, ready, bob, carol, dave)
    original = post(bob, "worth sharing")
    by_carol = _reblog(carol, original)  # the original is among the 40 newest: folded
    marker = _settled(reader, dave)
    assert _home(reader) == [marker["id"], original["id"]]
    assert by_carol not in _home(reader)
    # The reblogger's own home, which does not hold the original, shows it.
    assert home_ids(carol) == [by_carol]
    # A status the reader has not seen: its first reblog shows, a second one folds.
    elsewhere = post(register(server), "from a stranger")
    first = _reblog(carol, elsewhere)
    second = _reblog(dave, elsewhere)
    last = _settled(reader, bob)
    assert _home(reader) == [last["id"], first, marker["id"], original["id"]]
    assert second not in _home(reader)


def check_a_reblog_of_an_older_status_shows(server: RunningServer, ready: Ready) -> None:
    bob, carol, dave = register(server), register(server), register(server)
    reader = _reader(server, ready, bob, carol, dave)
    original = post(bob, "an older post")
    newer = [post(bob, f"newer {n}")["id"] for n in range(home_feeds.REBLOG_FALLOFF - 1)]
    # 39 newer entries: the original is still among the 40 newest.
    folded = _reblog(carol, original)
    wait_for(lambda: newer[-1] in home_ids(reader.mastodon))
    newest = _settled(reader, bob)  # the 40th newer one: now it is not
    shown = _reblog(dave, original)
    wait_for(lambda: shown in home_ids(reader.mastodon))
    home = _home(reader)
    assert home[:2] == [shown, newest["id"]]
    assert folded not in home
    first = reader.mastodon.api.get("/api/v1/timelines/home", params={"limit": 1}).json()[0]
    assert first["reblog"]["id"] == original["id"]


def check_an_original_after_its_reblog_is_not_added(server: RunningServer, ready: Ready) -> None:
    bob, carol = register(server), register(server)
    reader = _reader(server, ready, carol)
    earlier = post(bob, "before the original")
    original = post(bob, "shared before the reader follows its author")
    boost = _reblog(carol, original)
    wait_for(lambda: boost in home_ids(reader.mastodon))
    # Following bob merges his recent statuses (in a job): the original is not added under
    # its reblog, which is among the 40 newest.
    follow(reader.mastodon, bob)
    wait_for(lambda: earlier["id"] in home_ids(reader.mastodon))
    home = _home(reader)
    assert home == [boost, earlier["id"]]
    assert boost in home
    assert original["id"] not in home
    # A merge that brings an original whose reblog is not in the feed adds it.
    erin = register(server)
    alone = post(erin, "never reblogged")
    follow(reader.mastodon, erin)
    wait_for(lambda: alone["id"] in home_ids(reader.mastodon))


def check_undoing_the_shown_reblog_puts_a_held_one_back(
    server: RunningServer, ready: Ready
) -> None:
    carol, dave, erin, bob = (register(server) for _ in range(4))
    reader = _reader(server, ready, carol, dave, erin, bob)
    original = post(register(server), "reblogged three times")
    by_carol = _reblog(carol, original)
    by_dave = _reblog(dave, original)  # held back behind carol's
    by_erin = _reblog(erin, original)  # held back too
    marker = _settled(reader, bob)
    assert _home(reader) == [marker["id"], by_carol]
    # Carol undoes hers: the oldest held-back reblog (dave's) takes its place.
    assert carol.api.post(f"/api/v1/statuses/{original['id']}/unreblog").status_code == 200
    wait_for(lambda: by_carol not in home_ids(reader.mastodon))
    wait_for(lambda: by_dave in home_ids(reader.mastodon))
    assert _home(reader) == [marker["id"], by_dave]
    # Dave deletes his reblog: erin's shows.
    assert dave.api.delete(f"/api/v1/statuses/{by_dave}").status_code == 200
    wait_for(lambda: by_erin in home_ids(reader.mastodon))
    assert _home(reader) == [marker["id"], by_erin]
    # Erin undoes hers: nothing is held any more.
    assert erin.api.post(f"/api/v1/statuses/{original['id']}/unreblog").status_code == 200
    wait_for(lambda: by_erin not in home_ids(reader.mastodon))
    assert _home(reader) == [marker["id"]]


def check_a_held_reblog_undone_first_never_comes_back(server: RunningServer, ready: Ready) -> None:
    carol, dave, bob = (register(server) for _ in range(3))
    reader = _reader(server, ready, carol, dave, bob)
    original = post(register(server), "reblogged twice")
    by_carol = _reblog(carol, original)
    by_dave = _reblog(dave, original)  # held back
    assert dave.api.post(f"/api/v1/statuses/{original['id']}/unreblog").status_code == 200
    assert carol.api.post(f"/api/v1/statuses/{original['id']}/unreblog").status_code == 200
    marker = _settled(reader, bob)
    home = _home(reader)
    assert home == [marker["id"]]
    assert not {by_carol, by_dave} & set(home)


def check_unfollowing_the_shown_reblogger_puts_a_held_one_back(
    server: RunningServer, ready: Ready
) -> None:
    carol, dave, bob = (register(server) for _ in range(3))
    reader = _reader(server, ready, carol, dave, bob)
    original = post(register(server), "reblogged by two followed accounts")
    by_carol = _reblog(carol, original)
    by_dave = _reblog(dave, original)  # held back behind carol's
    marker = _settled(reader, bob)
    assert _home(reader) == [marker["id"], by_carol]
    r = reader.mastodon.api.post(f"/api/v1/accounts/{carol.id}/unfollow")
    assert r.status_code == 200, r.text
    wait_for(lambda: by_dave in home_ids(reader.mastodon))
    assert _home(reader) == [marker["id"], by_dave]


def check_a_held_reblog_of_an_unfollowed_account_is_not_put_back(
    server: RunningServer, ready: Ready
) -> None:
    carol, dave, bob = (register(server) for _ in range(3))
    reader = _reader(server, ready, carol, dave, bob)
    original = post(register(server), "reblogged by two followed accounts")
    by_carol = _reblog(carol, original)
    _reblog(dave, original)  # held back behind carol's
    by_dave = _settled(reader, dave)
    r = reader.mastodon.api.post(f"/api/v1/accounts/{dave.id}/unfollow")
    assert r.status_code == 200, r.text
    wait_for(lambda: by_dave["id"] not in home_ids(reader.mastodon))  # the purge job ran
    marker = _settled(reader, bob)
    assert _home(reader) == [marker["id"], by_carol]
    assert carol.api.post(f"/api/v1/statuses/{original['id']}/unreblog").status_code == 200
    wait_for(lambda: by_carol not in home_ids(reader.mastodon))
    assert _home(reader) == [marker["id"]]


CHECKS = [
    check_a_reblog_of_a_status_near_the_top_folds,
    check_a_reblog_of_an_older_status_shows,
    check_an_original_after_its_reblog_is_not_added,
    check_undoing_the_shown_reblog_puts_a_held_one_back,
    check_a_held_reblog_undone_first_never_comes_back,
    check_unfollowing_the_shown_reblogger_puts_a_held_one_back,
    check_a_held_reblog_of_an_unfollowed_account_is_not_put_back,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__.removeprefix("check_"))
def test_folding(server: RunningServer, check: Callable[[RunningServer, Any], None]) -> None:
    check(server, _no_build)
