"""Hashtags counted as Misskey counts them, in both dialects: hashtags/* and Mastodon's tags,
trends and history, over one server of their own (the counters are server-wide)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from support.api import Api, unique
from support.cli import tandem
from support.misskey import Misskey, MkUser, mk_user
from support.server import RunningServer
from tandem.store import hashtags as hashtag_store
from tandem.store.db import Database
from test_caches import REDIS_URL

SORTS = [
    f"{sign}{name}"
    for name in (
        "mentionedUsers",
        "mentionedLocalUsers",
        "mentionedRemoteUsers",
        "attachedUsers",
        "attachedLocalUsers",
        "attachedRemoteUsers",
    )
    for sign in "+-"
]
FIELD = {name: f"{name}Count" for name in (s[1:] for s in SORTS)}


@pytest.fixture(scope="module")
def hs(backend: str) -> Iterator[RunningServer]:
    running = RunningServer(backend).start()
    yield running
    running.close()


@pytest.fixture(scope="module")
def people(hs: RunningServer) -> list[MkUser]:
    return [mk_user(hs) for _ in range(4)]


def post(user: MkUser, text: str, visibility: str = "public") -> dict[str, Any]:
    return dict(user.mk("notes/create", {"text": text, "visibility": visibility})["createdNote"])


def describe(user: MkUser, description: str) -> None:
    user.mk("i/update", {"description": description})


def show(server: RunningServer, tag: str) -> dict[str, Any]:
    return dict(Misskey(server)("hashtags/show", {"tag": tag}))


def test_posts_count_each_account_once_and_only_public_or_home(
    hs: RunningServer, people: list[MkUser]
) -> None:
    a, b, c, _ = people
    tag = unique("cat")
    post(a, f"#{tag} and #{tag.upper()} again")
    post(a, f"more #{tag}")
    post(b, f"#{tag}", visibility="home")
    post(c, f"#{tag}", visibility="followers")  # not counted, as Misskey
    shown = show(hs, tag)
    assert shown == {
        "tag": tag,
        "mentionedUsersCount": 2,
        "mentionedLocalUsersCount": 2,
        "mentionedRemoteUsersCount": 0,
        "attachedUsersCount": 0,
        "attachedLocalUsersCount": 0,
        "attachedRemoteUsersCount": 0,
    }
    assert show(hs, tag.upper())["tag"] == tag  # looked up lower-cased


def test_tags_are_normalised_nfkc_then_lower_case(hs: RunningServer, people: list[MkUser]) -> None:
    a = people[0]
    wide = "ＷＩＤＥ" + unique("t")  # full-width letters: NFKC makes them ASCII
    post(a, f"#{wide}")
    key = "wide" + wide[4:].lower()
    assert show(hs, key)["mentionedUsersCount"] == 1
    assert show(hs, wide)["tag"] == key
    assert Misskey(hs)("hashtags/search", {"query": key[:6]}) == [key]


def test_profile_tags_are_attached_and_detached(hs: RunningServer, people: list[MkUser]) -> None:
    a, b, _, _ = people
    tag, other = unique("knit"), unique("bird")
    describe(a, f"I like #{tag} and #{other}")
    describe(b, f"#{tag}")
    assert show(hs, tag)["attachedUsersCount"] == 2
    assert show(hs, tag)["attachedLocalUsersCount"] == 2
    assert show(hs, tag)["mentionedUsersCount"] == 0
    describe(a, f"only #{other} now")
    describe(a, f"only #{other} now, really")  # unchanged tags: no double count
    assert show(hs, tag)["attachedUsersCount"] == 1
    assert show(hs, other)["attachedUsersCount"] == 1
    describe(b, "")
    assert show(hs, tag)["attachedUsersCount"] == 0


def test_a_profile_wears_at_most_32_tags(hs: RunningServer, people: list[MkUser]) -> None:
    a = people[3]
    stem = "m" + unique()[-6:]  # 40 short tags: the description holds 500 characters
    describe(a, " ".join(f"#{stem}x{i}" for i in range(40)))
    assert show(hs, f"{stem}x31")["attachedUsersCount"] == 1
    Misskey(hs).error("hashtags/show", {"tag": f"{stem}x32"}, 400, "NO_SUCH_HASHTAG")
    describe(a, "")


def test_an_edit_counts_the_tags_it_adds(hs: RunningServer, people: list[MkUser]) -> None:
    c = people[2]
    tag = unique("edit")
    note = post(c, "no tags yet")
    edited = c.mastodon.api.put(f"/api/v1/statuses/{note['id']}", json={"status": f"now #{tag}"})
    assert edited.status_code == 200, edited.text
    assert show(hs, tag)["mentionedUsersCount"] == 1


@pytest.mark.parametrize("sort", SORTS)
def test_every_list_sort_orders_by_its_counter(
    hs: RunningServer, people: list[MkUser], sort: str
) -> None:
    a, b, c, _ = people
    top = unique("top")
    for user in (a, b, c):
        post(user, f"#{top}")
    describe(a, f"#{top}")
    listed = Misskey(hs)("hashtags/list", {"sort": sort, "limit": 100})
    values = [t[FIELD[sort[1:]]] for t in listed]
    assert values == sorted(values, reverse=sort.startswith("+")), sort  # `+` = largest first
    if sort in ("+mentionedUsers", "+mentionedLocalUsers"):
        assert listed[0][FIELD[sort[1:]]] >= 3


def test_list_filters_and_bad_parameters(hs: RunningServer, people: list[MkUser]) -> None:
    worn = unique("worn")
    describe(people[1], f"#{worn}")
    mk = Misskey(hs)
    for flag, field in (
        ("attachedToUserOnly", "attachedUsersCount"),
        ("attachedToLocalUserOnly", "attachedLocalUsersCount"),
    ):
        listed = mk("hashtags/list", {"sort": "+mentionedUsers", "limit": 100, flag: True})
        assert listed
        assert all(t[field] > 0 for t in listed)
    assert mk("hashtags/list", {"sort": "+attachedUsers", "attachedToRemoteUserOnly": True}) == []
    mk.error("hashtags/list", {"sort": "mentionedUsers"}, 400, "INVALID_PARAM")
    mk.error("hashtags/list", {}, 400, "INVALID_PARAM")
    mk.error("hashtags/list", {"sort": "+attachedUsers", "limit": 0}, 400, "INVALID_PARAM")
    mk.error("hashtags/search", {"query": "a", "offset": -1}, 400, "INVALID_PARAM")
    mk.error("hashtags/show", {"tag": unique("never")}, 400, "NO_SUCH_HASHTAG")
    describe(people[1], "")


def test_search_by_prefix_most_used_first(hs: RunningServer, people: list[MkUser]) -> None:
    stem = unique("pre")
    for i, user in enumerate(people[:3]):
        post(user, f"#{stem}many")
        if i == 0:
            post(user, f"#{stem}one #{stem}x_y")
    mk = Misskey(hs)
    assert mk("hashtags/search", {"query": stem.upper()})[0] == f"{stem}many"
    assert set(mk("hashtags/search", {"query": stem})) == {
        f"{stem}many",
        f"{stem}one",
        f"{stem}x_y",
    }
    assert len(mk("hashtags/search", {"query": stem, "limit": 1, "offset": 1})) == 1
    assert mk("hashtags/search", {"query": f"{stem}x%"}) == []  # no wildcards
    assert mk("hashtags/search", {"query": ""}) == []


def test_users_wearing_a_tag_sorted_filtered_and_paged(
    hs: RunningServer, people: list[MkUser]
) -> None:
    tag = unique("wear")
    wearers = [mk_user(hs) for _ in range(3)]
    for i, user in enumerate(wearers):
        describe(user, f"#{tag}")
        for fan in people[: i + 1]:  # wearer i has i + 1 followers
            fan.mk("following/create", {"userId": user.id})
    mk = Misskey(hs)

    def ids(**params: Any) -> list[str]:
        return [u["id"] for u in mk("hashtags/users", {"tag": tag, **params})]

    by_followers = [w.id for w in reversed(wearers)]
    assert ids(sort="+follower") == by_followers  # `+` = most followers first
    assert ids(sort="-follower") == by_followers[::-1]
    assert ids(sort="-createdAt") == [w.id for w in wearers]
    assert ids(sort="+updatedAt", state="alive") == ids(sort="+updatedAt")
    assert ids(sort="+follower", limit=1, offset=1) == by_followers[1:2]
    assert ids(sort="+follower", origin="remote") == []
    assert ids(sort="+follower", origin="combined") == by_followers
    assert ids(sort="+follower", tag=tag.upper()) == by_followers
    users = mk("hashtags/users", {"tag": tag, "sort": "+follower"})
    assert users[0]["followersCount"] == 3
    assert "description" in users[0]
    tandem(hs, "admin", "suspend", wearers[2].username)
    assert ids(sort="+follower") == by_followers[1:]  # suspended accounts are left out
    assert ids(sort="+follower", tag=unique("nobody")) == []
    mk.error("hashtags/users", {"tag": tag, "sort": "follower"}, 400, "INVALID_PARAM")
    mk.error(
        "hashtags/users", {"tag": tag, "sort": "+follower", "state": "x"}, 400, "INVALID_PARAM"
    )


def test_users_walk_and_read_strategies_agree(hs: RunningServer, people: list[MkUser]) -> None:
    """Tags many profiles wear are read by walking accounts in order; both ways agree."""
    tag = unique("agree")
    for user in people:
        describe(user, f"#{tag}")

    async def both() -> list[list[int]]:
        db = Database(hs.database.url)
        try:
            async with db.read() as conn:
                found = await hashtag_store.by_key(conn, tag)
                assert found is not None
                out = []
                for sort in ("follower", "createdAt", "updatedAt"):
                    for descending in (True, False):
                        for wearing in (0, 10**9):
                            out.append(
                                await hashtag_store.wearers(
                                    conn,
                                    found.id,
                                    wearing,
                                    sort=sort,
                                    descending=descending,
                                    origin="local",
                                    alive_since=None,
                                    limit=3,
                                    offset=1,
                                )
                            )
                return out
        finally:
            await db.dispose()

    results = asyncio.run(both())
    for read, walked in zip(results[::2], results[1::2], strict=True):
        assert read == walked
        assert len(read) == 3


def test_trend_mastodon_trends_and_history(hs: RunningServer, people: list[MkUser]) -> None:
    """The first trend call of this server's life: the ranking is computed once a minute."""
    hot, warm = unique("hot"), unique("warm")
    crowd = [*people, *(mk_user(hs) for _ in range(3))]  # more than any other test's tag
    for user in crowd:
        post(user, f"#{hot}")
    post(people[0], f"#{warm}")
    post(people[0], f"#{warm} twice")
    anon = httpx.Client(base_url=hs.base_url, timeout=30)
    got = anon.get("/api/hashtags/trend")
    assert got.status_code == 200
    assert got.headers["cache-control"] == "public, max-age=60"
    trend = got.json()
    assert len(trend) <= 10
    assert trend[0]["tag"] == hot
    chart = trend[0]["chart"]
    assert len(chart) == 20
    assert chart[0] + chart[1] >= 7  # 10-minute buckets, newest first (a boundary may cut)
    assert trend[0]["usersCount"] == max(chart)
    assert "cache-control" not in Misskey(hs, people[0].token).raw("hashtags/trend").headers
    trends = Api(hs).get("/api/v1/trends/tags").json()
    assert trends[0]["name"] == hot
    today = trends[0]["history"][0]
    assert (today["uses"], today["accounts"]) == ("7", "7")
    assert len(trends[0]["history"]) == 7
    assert int(trends[0]["history"][0]["day"]) > int(trends[0]["history"][1]["day"])
    assert Api(hs).get("/api/v1/trends/tags", params={"limit": 1}).json()[0]["name"] == hot
    assert Api(hs).get("/api/v1/trends/tags", params={"offset": 1}).json()[0]["name"] != hot
    assert Api(hs).get("/api/v1/trends").json()[0]["name"] == hot
    # Mastodon's tag, followed tags and featuring suggestions carry the same history.
    mastodon = people[0].mastodon.api
    tag = mastodon.get(f"/api/v1/tags/{warm}").json()
    assert (tag["history"][0]["uses"], tag["history"][0]["accounts"]) == ("2", "1")
    mastodon.post(f"/api/v1/tags/{warm}/follow")
    followed = mastodon.get("/api/v1/followed_tags").json()
    assert any(t["name"] == warm and t["history"][0]["uses"] == "2" for t in followed)
    suggested = mastodon.get("/api/v1/featured_tags/suggestions").json()
    assert any(t["name"] == warm and t["history"][0]["uses"] == "2" for t in suggested)
    found = mastodon.get("/api/v2/search", params={"q": f"#{warm}", "type": "hashtags"}).json()
    assert found["hashtags"][0]["history"][0]["accounts"] == "1"
    unused = mastodon.get(f"/api/v1/tags/{unique('unused')}").json()
    assert [d["uses"] for d in unused["history"]] == ["0"] * 7


@pytest.mark.parametrize("shared_by", ["table", "redis"])
def test_trend_is_computed_once_a_minute_for_every_process(backend: str, shared_by: str) -> None:
    """Two servers on one database: the second answers the ranking the first computed
    (kept in the database, or in Redis when configured), not one of its own."""
    extra = {"redis_url": REDIS_URL} if shared_by == "redis" else {}
    first = RunningServer(backend, **extra).start()
    second = None
    try:
        # Users first: either server's job worker could send a sign-up's mail.
        early, late = mk_user(first), mk_user(first)
        second = RunningServer(backend, database_url=first.database.url, **extra).start()
        tag, newer = unique("early"), unique("late")
        post(early, f"#{tag}")
        assert [t["tag"] for t in Misskey(first)("hashtags/trend")] == [tag]
        post(late, f"#{newer}")
        post(early, f"#{newer}")
        assert [t["tag"] for t in Misskey(second)("hashtags/trend")] == [tag]
        assert [t["name"] for t in Api(second).get("/api/v1/trends/tags").json()] == [tag]
    finally:
        if second is not None:
            second.close()
        first.close()
