"""Polls in both dialects: created with a post, voted on (once, by a unique key), shown with
their counts, and ended by a job that tells voters and the author."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from support.api import Api, User
from support.misskey import Misskey, mk_user
from support.schemas import assert_valid
from support.server import RunningServer


def poll_post(user: User, **poll: object) -> dict:
    r = user.api.post(
        "/api/v1/statuses",
        json={"status": "which?", "poll": {"options": ["a", "b", "c"], "expires_in": 3600, **poll}},
    )
    assert r.status_code == 200, r.text
    return r.json()


def test_mastodon_poll(server: RunningServer) -> None:
    alice, bob, carol = mk_user(server), mk_user(server), mk_user(server)
    status = poll_post(alice.mastodon)
    assert_valid("Status", status)
    poll = status["poll"]
    assert_valid("Poll", poll)
    assert [o["title"] for o in poll["options"]] == ["a", "b", "c"]
    assert poll["expired"] is False
    assert poll["multiple"] is False
    assert poll["votes_count"] == 0
    assert poll["expires_at"] is not None
    voted = bob.mastodon.api.post(f"/api/v1/polls/{poll['id']}/votes", json={"choices": ["1"]})
    assert voted.status_code == 200, voted.text
    assert_valid("Poll", voted.json())
    assert voted.json()["voted"] is True
    assert voted.json()["own_votes"] == [1]
    assert [o["votes_count"] for o in voted.json()["options"]] == [0, 1, 0]
    again = bob.mastodon.api.post(f"/api/v1/polls/{poll['id']}/votes", json={"choices": ["0"]})
    assert again.status_code == 422
    two = carol.mastodon.api.post(f"/api/v1/polls/{poll['id']}/votes", json={"choices": [0, 1]})
    assert two.status_code == 422
    bad = carol.mastodon.api.post(f"/api/v1/polls/{poll['id']}/votes", json={"choices": [7]})
    assert bad.status_code == 422
    shown = Api(server).get(f"/api/v1/polls/{poll['id']}").json()
    assert shown["votes_count"] == 1
    assert "voted" not in shown
    assert carol.mastodon.api.get(f"/api/v1/polls/{poll['id']}").json()["voted"] is False
    assert Api(server).get("/api/v1/polls/1").status_code == 404
    # The same poll through Misskey.
    note = carol.mk("notes/show", {"noteId": status["id"]})
    assert note["poll"]["choices"] == [
        {"text": "a", "votes": 0, "isVoted": False},
        {"text": "b", "votes": 1, "isVoted": False},
        {"text": "c", "votes": 0, "isVoted": False},
    ]
    assert note["poll"]["multiple"] is False


def test_mastodon_poll_options(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    status = poll_post(alice.mastodon, multiple=True, hide_totals=True)
    pid = status["poll"]["id"]
    r = bob.mastodon.api.post(f"/api/v1/polls/{pid}/votes", data={"choices[]": ["0", "2"]})
    assert r.status_code == 200, r.text
    assert r.json()["own_votes"] == [0, 2]
    # Totals stay hidden from others until the end; the author sees them.
    assert [o["votes_count"] for o in r.json()["options"]] == [None, None, None]
    assert r.json()["voters_count"] == 1
    # Mastodon's VoteValidator: more votes on a multiple poll add choices, a repeat is refused.
    more = bob.mastodon.api.post(f"/api/v1/polls/{pid}/votes", json={"choices": ["1"]})
    assert more.status_code == 200, more.text
    assert more.json()["own_votes"] == [0, 2, 1]  # in the order voted
    repeat = bob.mastodon.api.post(f"/api/v1/polls/{pid}/votes", json={"choices": ["1"]})
    assert repeat.status_code == 422
    assert more.json()["voters_count"] == 1
    mine = alice.mastodon.api.get(f"/api/v1/polls/{pid}").json()
    assert [o["votes_count"] for o in mine["options"]] == [1, 1, 1]
    for bad in (
        {"options": ["only"], "expires_in": 3600},
        {"options": ["a", "b", "c", "d", "e"], "expires_in": 3600},
        {"options": ["a", "a"], "expires_in": 3600},
        {"options": ["a", ""], "expires_in": 3600},
        {"options": ["a", "x" * 51], "expires_in": 3600},
        {"options": ["a", "b"], "expires_in": 10},
        {"options": ["a", "b"]},
    ):
        r = alice.mastodon.api.post("/api/v1/statuses", json={"status": "q", "poll": bad})
        assert r.status_code == 422, (bad, r.text)
        assert "poll" in r.json()["details"], r.text
    instance = Api(server).get("/api/v2/instance").json()
    assert instance["configuration"]["polls"]["max_options"] == 4


def test_misskey_poll(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    note = alice.mk("notes/create", {"poll": {"choices": ["x", "y", "z"], "multiple": True}})[
        "createdNote"
    ]
    assert note["poll"] == {
        "multiple": True,
        "expiresAt": None,
        "choices": [
            {"text": "x", "votes": 0, "isVoted": False},
            {"text": "y", "votes": 0, "isVoted": False},
            {"text": "z", "votes": 0, "isVoted": False},
        ],
    }
    bob.mk("notes/polls/vote", {"noteId": note["id"], "choice": 0})
    bob.mk("notes/polls/vote", {"noteId": note["id"], "choice": 2})
    bob.mk.error("notes/polls/vote", {"noteId": note["id"], "choice": 2}, 400, "ALREADY_VOTED")
    bob.mk.error("notes/polls/vote", {"noteId": note["id"], "choice": 3}, 400, "INVALID_CHOICE")
    shown = bob.mk("notes/show", {"noteId": note["id"]})["poll"]["choices"]
    assert [(c["votes"], c["isVoted"]) for c in shown] == [(1, True), (0, False), (1, True)]
    single = alice.mk(
        "notes/create", {"text": "one", "poll": {"choices": ["p", "q"], "expiredAfter": 3_600_000}}
    )["createdNote"]
    assert single["poll"]["expiresAt"] is not None
    bob.mk("notes/polls/vote", {"noteId": single["id"], "choice": 1})
    bob.mk.error("notes/polls/vote", {"noteId": single["id"], "choice": 0}, 400, "ALREADY_VOTED")
    plain = alice.mk("notes/create", {"text": "no poll"})["createdNote"]
    bob.mk.error("notes/polls/vote", {"noteId": plain["id"], "choice": 0}, 400, "NO_POLL")
    bob.mk.error("notes/polls/vote", {"noteId": "1", "choice": 0}, 400, "NO_SUCH_NOTE")
    alice.mk.error(
        "notes/create",
        {"poll": {"choices": ["a", "b"], "expiresAt": 1_000_000}},
        400,
        "CANNOT_CREATE_ALREADY_EXPIRED_POLL",
    )
    alice.mk.error("notes/create", {"poll": {"choices": ["a"]}}, 400, "INVALID_PARAM")
    alice.mk.error("notes/create", {"poll": {"choices": ["a", "a"]}}, 400, "INVALID_PARAM")
    alice.mk.error(
        "notes/create",
        {"poll": {"choices": ["a", "b"], "expiresAt": 10**15}},
        400,
        "INVALID_PARAM",
    )
    dave = mk_user(server)
    alice.mastodon.api.post(f"/api/v1/accounts/{dave.id}/block")
    dave.mk.error(
        "notes/polls/vote", {"noteId": note["id"], "choice": 1}, 400, "YOU_HAVE_BEEN_BLOCKED"
    )
    # Mastodon clients see the Misskey poll, with the voter's choices.
    status = bob.mastodon.api.get(f"/api/v1/statuses/{note['id']}").json()
    assert status["poll"]["own_votes"] == [0, 2]
    assert status["poll"]["voters_count"] == 1
    assert status["poll"]["expires_at"] is None


def _notified(user: User, kind: str, status_id: str, timeout: float = 20) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [
            n
            for n in user.api.get("/api/v1/notifications").json()
            if n["type"] == kind and n.get("status", {}).get("id") == status_id
        ]
        if found:
            return found
        time.sleep(0.2)
    return []


def test_poll_ends_and_notifies(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    note = alice.mk(
        "notes/create", {"text": "quick", "poll": {"choices": ["a", "b"], "expiredAfter": 1500}}
    )["createdNote"]
    bob.mk("notes/polls/vote", {"noteId": note["id"], "choice": 0})
    assert len(_notified(bob.mastodon, "poll", note["id"])) == 1
    assert len(_notified(alice.mastodon, "poll", note["id"])) == 1
    bob.mk.error("notes/polls/vote", {"noteId": note["id"], "choice": 1}, 400, "ALREADY_EXPIRED")
    ended = Misskey(server)("notes/show", {"noteId": note["id"]})
    assert ended["poll"]["choices"][0]["votes"] == 1
    status = Api(server).get(f"/api/v1/statuses/{note['id']}").json()
    assert status["poll"]["expired"] is True


def test_concurrent_votes_count_once(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    status = poll_post(alice.mastodon)
    pid = status["poll"]["id"]

    def vote(_: int) -> int:
        return bob.mastodon.api.post(
            f"/api/v1/polls/{pid}/votes", json={"choices": ["0"]}
        ).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = sorted(pool.map(vote, range(8)))
    assert codes == [200] + [422] * 7
    assert Api(server).get(f"/api/v1/polls/{pid}").json()["votes_count"] == 1
