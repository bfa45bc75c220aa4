"""Replayed answers (core/caller_cache.py `replayed`): a hot read answered again with the bytes
of the last identical call is still the answer for this caller and these parameters, still
counts against rate limits, and goes the moment anything it was made of changes.

(Freshness across workers and hosts after each kind of write is tests/test_caches.py's.)
"""

from __future__ import annotations

import httpx

from support.api import Api, register
from support.misskey import Misskey, mk_user
from support.server import RunningServer


def _verify(api: Api) -> httpx.Response:
    return api.get("/api/v1/accounts/verify_credentials")


def test_a_replay_is_the_same_answer_and_runs_no_statement(make_server) -> None:  # type: ignore[no-untyped-def]
    server: RunningServer = make_server(report_statement_count=True)
    me = register(server)
    api = Api(server, me.token)
    first, second = _verify(api), _verify(api)
    assert first.json() == second.json()
    assert second.headers["x-statement-count"] == "0"
    assert second.headers["cache-control"] == "private, no-store"
    assert "Authorization" in second.headers["vary"]
    api.patch("/api/v1/accounts/update_credentials", data={"display_name": "Renamed"})
    assert _verify(api).json()["display_name"] == "Renamed"


def test_replays_count_against_rate_limits(make_server) -> None:  # type: ignore[no-untyped-def]
    server: RunningServer = make_server(throttles="per_token_api=8/86400")
    me = register(server)  # (which uses the token too)
    api = Api(server, me.token)
    remaining = [int(_verify(api).headers["x-ratelimit-remaining"])]
    while remaining[-1] > 0:
        r = _verify(api)
        assert r.status_code == 200
        remaining.append(int(r.headers["x-ratelimit-remaining"]))
    assert len(remaining) >= 3
    assert remaining == list(range(remaining[0], -1, -1))  # one less each time
    refused = _verify(api)
    assert refused.status_code == 429
    assert "retry-after" in refused.headers


def test_each_caller_gets_its_own_answer(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    bob.mk("following/create", {"userId": alice.id})
    anonymous = Misskey(server)
    for _ in range(2):
        seen_by_bob = bob.mk("users/show", {"userId": alice.id})
        seen_by_nobody = anonymous("users/show", {"userId": alice.id})
        assert seen_by_bob["isFollowing"] is True
        assert "isFollowing" not in seen_by_nobody
    mine = alice.mk("i")
    assert mine["id"] == alice.id
    assert bob.mk("i")["id"] == bob.id


def test_parameters_of_another_type_are_another_call(server: RunningServer) -> None:
    alice = mk_user(server)
    anonymous = Misskey(server)
    assert anonymous("users/show", {"userId": alice.id})["id"] == alice.id
    assert anonymous("users/show", {"userId": alice.id})["id"] == alice.id
    wrong = anonymous.raw("users/show", {"userId": 12})
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == "INVALID_PARAM"


def test_a_get_with_parameters_is_answered_afresh(server: RunningServer) -> None:
    me = register(server)
    api = Api(server, me.token)
    assert _verify(api).status_code == 200
    # A token in the query string instead of the header is another call, still answered.
    r = Api(server).get("/api/v1/accounts/verify_credentials", params={"access_token": me.token})
    assert r.status_code == 200
    assert r.json()["id"] == me.id
    anonymous = Api(server).get("/api/v1/accounts/verify_credentials")
    assert anonymous.status_code == 401


def test_a_revoked_token_is_not_replayed(server: RunningServer) -> None:
    alice = mk_user(server)
    token = alice.token
    assert alice.mk("i")["id"] == alice.id
    assert alice.mk("i")["id"] == alice.id
    alice.mk("i/regenerate-token", {"password": alice.password})
    refused = Misskey(server, token).raw("i")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "AUTHENTICATION_FAILED"
