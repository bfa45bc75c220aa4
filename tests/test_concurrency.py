"""Racing writes: 100 concurrent requests never answer 5xx, leave duplicates or drift counters.

Each race fires its requests together (asyncio + httpx against the real server) and then
compares what the API shows with the rows in the database, counted directly with SQL.
PostgreSQL is where this bites (SQLite runs one writer at a time), but both must hold.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from support.api import PASSWORD, Api, User, app_token, register, unique
from support.misskey import Misskey, MkUser, mk_user
from support.server import RunningServer
from support.sql import execute

RACERS = 100


@dataclass(frozen=True)
class Call:
    """One request of a race: Mastodon (method + path + form) or Misskey (endpoint + JSON)."""

    token: str
    path: str
    method: str = "POST"
    data: dict[str, Any] | None = None
    misskey: dict[str, Any] | None = None


def mastodon(token: str, path: str, method: str = "POST", **data: Any) -> Call:
    return Call(token, path, method, data or None)


def misskey(token: str, endpoint: str, **body: Any) -> Call:
    return Call(token, f"/api/{endpoint}", misskey=body)


def race(server: RunningServer, calls: Sequence[Call]) -> list[httpx.Response]:
    """Send every call at once; the responses, in order."""

    async def one(client: httpx.AsyncClient, call: Call, gate: asyncio.Event) -> httpx.Response:
        await gate.wait()
        if call.misskey is not None:
            auth = {"i": call.token} if call.token else {}
            return await client.post(call.path, json={**auth, **call.misskey})
        headers = {"Authorization": f"Bearer {call.token}"} if call.token else {}
        return await client.request(call.method, call.path, data=call.data, headers=headers)

    async def run() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=len(calls), max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=server.base_url, timeout=120, limits=limits) as c:
            gate = asyncio.Event()
            tasks = [asyncio.create_task(one(c, call, gate)) for call in calls]
            await asyncio.sleep(0)
            gate.set()
            return list(await asyncio.gather(*tasks))

    responses = asyncio.run(run())
    failed = [(r.request.url.path, r.status_code, r.text[:200]) for r in responses]
    assert not [f for f in failed if f[1] >= 500], failed
    return responses


def sql(server: RunningServer, query: str, **params: Any) -> list[tuple[Any, ...]]:
    """Rows straight from the server's database (not through tandem)."""
    return execute(server, query, params)


def scalar(server: RunningServer, query: str, **params: Any) -> Any:
    return sql(server, query, **params)[0][0]


def assert_account_counters(server: RunningServer, *account_ids: str) -> None:
    """The stored counters and the API's equal COUNT(*) of the rows they count."""
    for account_id in account_ids:
        aid = int(account_id)
        stored = sql(
            server,
            "SELECT followers_count, following_count, statuses_count FROM accounts WHERE id = :a",
            a=aid,
        )[0]
        truth = (
            scalar(server, "SELECT COUNT(*) FROM follows WHERE target_account_id = :a", a=aid),
            scalar(server, "SELECT COUNT(*) FROM follows WHERE account_id = :a", a=aid),
            scalar(server, "SELECT COUNT(*) FROM statuses WHERE account_id = :a", a=aid),
        )
        assert tuple(stored) == truth, (account_id, stored, truth)
        shown = Api(server).get(f"/api/v1/accounts/{account_id}").json()
        api = (shown["followers_count"], shown["following_count"], shown["statuses_count"])
        assert api == truth, (account_id, api, truth)


def assert_no_duplicates(server: RunningServer) -> None:
    for table, columns in (
        ("follows", "account_id, target_account_id"),
        ("follow_requests", "account_id, target_account_id"),
        ("status_pins", "account_id, status_id"),
        ("list_accounts", "list_id, account_id"),
        ("favorites", "account_id, status_id"),
        ("account_pins", "account_id, target_account_id"),
        ("blocks", "account_id, target_account_id"),
        ("mutes", "account_id, target_account_id"),
    ):
        doubled = sql(
            server, f"SELECT {columns} FROM {table} GROUP BY {columns} HAVING COUNT(*) > 1"
        )
        assert doubled == [], (table, doubled)
    reblogs = sql(
        server,
        "SELECT account_id, reblog_of_id FROM statuses WHERE reblog_of_id IS NOT NULL"
        " GROUP BY account_id, reblog_of_id HAVING COUNT(*) > 1",
    )
    assert reblogs == []


def misskey_codes(responses: Sequence[httpx.Response]) -> Counter[str]:
    """How the calls ended: "ok" for 2xx, else the Misskey or Mastodon error."""
    seen: Counter[str] = Counter()
    for r in responses:
        if r.status_code < 300:
            seen["ok"] += 1
        elif isinstance(r.json().get("error"), dict):
            seen[r.json()["error"]["code"]] += 1
        else:
            seen[f"{r.status_code} {r.json()['error']}"] += 1
    return seen


def test_follow_and_unfollow_racing_in_both_dialects(server: RunningServer) -> None:
    a, b = mk_user(server), mk_user(server)
    for _round in range(2):
        calls = []
        for i in range(RACERS):
            me, other = (a, b) if i % 4 < 2 else (b, a)
            following = i % 2 == 0
            if i % 3 == 0:
                endpoint = "following/create" if following else "following/delete"
                calls.append(misskey(me.token, endpoint, userId=other.id))
            else:
                action = "follow" if following else "unfollow"
                calls.append(mastodon(me.mastodon.token, f"/api/v1/accounts/{other.id}/{action}"))
        responses = race(server, calls)
        # Losers get what a repeated request gets: Mastodon the relationship, Misskey its code.
        assert set(misskey_codes(responses)) <= {"ok", "ALREADY_FOLLOWING", "NOT_FOLLOWING"}
        assert_account_counters(server, a.id, b.id)
    assert_no_duplicates(server)
    # The pair still behaves: one clean follow from a to b counts once.
    Api(server, a.mastodon.token).post(f"/api/v1/accounts/{b.id}/unfollow")
    Api(server, a.mastodon.token).post(f"/api/v1/accounts/{b.id}/follow")
    assert_account_counters(server, a.id, b.id)
    assert scalar(server, "SELECT COUNT(*) FROM follows WHERE account_id = :a", a=int(a.id)) == 1


def test_follow_requests_racing_and_answered_by_racers(server: RunningServer) -> None:
    owner = mk_user(server, locked=True)
    requesters = [mk_user(server) for _ in range(5)]
    calls = []
    for i, (requester, _n) in enumerate(itertools.product(requesters, range(20))):
        if i % 2:
            calls.append(misskey(requester.token, "following/create", userId=owner.id))
        else:
            path = f"/api/v1/accounts/{owner.id}/follow"
            calls.append(mastodon(requester.mastodon.token, path))
    responses = race(server, calls)
    assert set(misskey_codes(responses)) <= {"ok", "ALREADY_FOLLOWING"}
    oid = int(owner.id)
    pending = sql(
        server,
        "SELECT account_id FROM follow_requests WHERE target_account_id = :o ORDER BY account_id",
        o=oid,
    )
    assert [r[0] for r in pending] == sorted(int(r.id) for r in requesters)
    notified = scalar(
        server,
        "SELECT COUNT(*) FROM notifications WHERE account_id = :o AND type = 'follow_request'",
        o=oid,
    )
    assert notified == len(requesters)  # one notification per request, not per racer

    # Twenty racers per request, accepting and rejecting at once: exactly one of them acts.
    calls = []
    for i, (requester, n) in enumerate(itertools.product(requesters, range(20))):
        accept = (i + n) % 2 == 0
        if n % 3 == 0:
            endpoint = "following/requests/accept" if accept else "following/requests/reject"
            calls.append(misskey(owner.token, endpoint, userId=requester.id))
        else:
            verb = "authorize" if accept else "reject"
            path = f"/api/v1/follow_requests/{requester.id}/{verb}"
            calls.append(mastodon(owner.mastodon.token, path))
    responses = race(server, calls)
    outcomes = misskey_codes(responses)
    assert set(outcomes) <= {"ok", "NO_FOLLOW_REQUEST", "404 Record not found"}, outcomes
    for k in range(len(requesters)):
        mine = responses[k * 20 : (k + 1) * 20]
        assert sum(r.status_code < 300 for r in mine) == 1, [r.text for r in mine]
    assert (
        scalar(server, "SELECT COUNT(*) FROM follow_requests WHERE target_account_id = :o", o=oid)
        == 0
    )
    assert_account_counters(server, owner.id, *(r.id for r in requesters))
    assert_no_duplicates(server)


def test_unlocking_while_requesters_follow_and_unfollow(server: RunningServer) -> None:
    # Unlocking accepts every pending request; requesters' racing follows and unfollows lock
    # the same account rows, in the same order, so nothing deadlocks (which would be a 500).
    owner = mk_user(server, locked=True)
    requesters = [mk_user(server) for _ in range(12)]
    for requester in requesters:
        Api(server, requester.mastodon.token).post(f"/api/v1/accounts/{owner.id}/follow")
    calls = [misskey(owner.token, "i/update", isLocked=False)]
    for i, requester in enumerate(requesters * 4):
        action = "follow" if i % 2 else "unfollow"
        calls.append(mastodon(requester.mastodon.token, f"/api/v1/accounts/{owner.id}/{action}"))
    race(server, calls)
    assert_account_counters(server, owner.id, *(r.id for r in requesters))
    assert_no_duplicates(server)


def test_one_username_registered_by_racers(server: RunningServer) -> None:
    username = unique("race")
    token = app_token(server, "write:accounts")
    calls = []
    for i in range(RACERS):
        if i % 5 == 4:
            calls.append(
                Call(
                    "",
                    "/api/signup",
                    misskey={
                        "username": username,
                        "password": PASSWORD,
                        "emailAddress": f"{unique('mail')}@example.com",
                    },
                )
            )
        else:
            form = {
                "username": username,
                "email": f"{unique('mail')}@example.com",
                "password": PASSWORD,
                "agreement": "true",
                "locale": "en",
            }
            calls.append(mastodon(token, "/api/v1/accounts", **form))
    responses = race(server, calls)
    # One winner (Misskey answers 204 while the address awaits confirmation).
    assert sum(r.status_code < 300 for r in responses) == 1, misskey_codes(responses)
    for r in responses:
        if r.status_code < 300:
            continue
        body = r.json()
        if isinstance(body["error"], dict):  # Misskey: signup's own code
            assert (r.status_code, body["error"]["code"]) == (400, "DUPLICATED_USERNAME"), body
        else:  # Mastodon: the validation error a later sign-up gets
            assert r.status_code == 422, body
            assert body["details"]["username"][0]["error"] == "ERR_TAKEN", body
    key = username.lower()
    assert scalar(server, "SELECT COUNT(*) FROM accounts WHERE username_key = :k", k=key) == 1
    orphans = "SELECT COUNT(*) FROM users WHERE account_id NOT IN (SELECT id FROM accounts)"
    assert scalar(server, orphans) == 0


def _post(user: User, text_: str = "hello") -> str:
    r = user.api.post("/api/v1/statuses", data={"status": text_})
    assert r.status_code == 200, r.text
    return str(r.json()["id"])


def test_pinning_racers(server: RunningServer) -> None:
    author = register(server)
    first = _post(author)
    responses = race(
        server,
        [mastodon(author.token, f"/api/v1/statuses/{first}/pin") for _ in range(RACERS)],
    )
    assert all(r.status_code == 200 and r.json()["pinned"] for r in responses)
    aid = int(author.id)
    assert scalar(server, "SELECT COUNT(*) FROM status_pins WHERE account_id = :a", a=aid) == 1

    # More posts than pins allowed, pinned all at once: the limit still holds exactly.
    limit = server.settings.max_pinned_statuses
    others = [_post(author, f"post {n}") for n in range(limit + 3)]
    calls = [
        mastodon(author.token, f"/api/v1/statuses/{others[i % len(others)]}/pin")
        for i in range(RACERS)
    ]
    outcomes = misskey_codes(race(server, calls))
    assert set(outcomes) <= {
        "ok",
        "422 Validation failed: You have already pinned the maximum number of posts",
    }, outcomes
    assert scalar(server, "SELECT COUNT(*) FROM status_pins WHERE account_id = :a", a=aid) == limit
    assert_no_duplicates(server)


def test_reblog_racers_keep_one_reblog_and_true_counters(server: RunningServer) -> None:
    author, fan = register(server), register(server)
    status = _post(author)
    responses = race(
        server, [mastodon(fan.token, f"/api/v1/statuses/{status}/reblog") for _ in range(RACERS)]
    )
    assert {r.status_code for r in responses} == {200}
    assert len({r.json()["id"] for r in responses}) == 1  # everyone answers with the one reblog
    sid = int(status)
    rows = "SELECT COUNT(*) FROM statuses WHERE reblog_of_id = :s"
    assert scalar(server, rows, s=sid) == 1
    stored = "SELECT reblogs_count FROM statuses WHERE id = :s"
    assert scalar(server, stored, s=sid) == 1
    assert_account_counters(server, author.id, fan.id)

    # Four accounts reblogging and un-reblogging at once.
    fans = [register(server) for _ in range(4)]
    calls = [
        mastodon(
            fans[i % 4].token,
            f"/api/v1/statuses/{status}/{'reblog' if (i // 4) % 2 == 0 else 'unreblog'}",
        )
        for i in range(RACERS)
    ]
    assert {r.status_code for r in race(server, calls)} == {200}
    assert scalar(server, stored, s=sid) == scalar(server, rows, s=sid)
    shown = Api(server, author.token).get(f"/api/v1/statuses/{status}").json()
    assert shown["reblogs_count"] == scalar(server, rows, s=sid)
    assert_account_counters(server, author.id, fan.id, *(f.id for f in fans))
    assert_no_duplicates(server)


def test_list_membership_racers(server: RunningServer) -> None:
    owner: MkUser = mk_user(server)
    members = [register(server) for _ in range(5)]
    for member in members:
        r = Api(server, owner.mastodon.token).post(f"/api/v1/accounts/{member.id}/follow")
        assert r.status_code == 200, r.text
    r = Api(server, owner.mastodon.token).post("/api/v1/lists", data={"title": "race"})
    list_id = r.json()["id"]
    calls = []
    for i in range(RACERS):
        member = members[i % len(members)]
        if i % 4 == 3:
            calls.append(misskey(owner.token, "users/lists/push", listId=list_id, userId=member.id))
        else:
            path = f"/api/v1/lists/{list_id}/accounts"
            calls.append(mastodon(owner.mastodon.token, path, **{"account_ids[]": member.id}))
    outcomes = misskey_codes(race(server, calls))
    assert set(outcomes) <= {"ok", "ALREADY_ADDED"}, outcomes
    listed = "SELECT account_id FROM list_accounts WHERE list_id = :l ORDER BY account_id"
    assert [r[0] for r in sql(server, listed, l=int(list_id))] == sorted(int(m.id) for m in members)
    assert_no_duplicates(server)


def test_other_pair_writes_racing(server: RunningServer) -> None:
    """Bookmarks, Misskey favorites, blocks, mutes, endorsements, featured tags."""
    me, other = mk_user(server), mk_user(server)
    token = me.mastodon.token
    Api(server, token).post(f"/api/v1/accounts/{other.id}/follow")
    status = _post(other.mastodon)
    calls = []
    for i in range(RACERS):
        kind = i % 5
        if kind == 0:
            calls.append(mastodon(token, f"/api/v1/statuses/{status}/bookmark"))
        elif kind == 1:
            calls.append(misskey(me.token, "notes/favorites/create", noteId=status))
        elif kind == 2:
            calls.append(mastodon(token, f"/api/v1/accounts/{other.id}/pin"))
        elif kind == 3:
            calls.append(mastodon(token, "/api/v1/featured_tags", name="racing"))
        else:
            calls.append(mastodon(token, f"/api/v1/accounts/{other.id}/mute"))
    outcomes = misskey_codes(race(server, calls))
    assert set(outcomes) <= {
        "ok",
        "ALREADY_FAVORITED",
        "422 Validation failed: Name has already been taken",
    }, outcomes
    mid = int(me.id)
    for table in ("favorites", "account_pins", "featured_tags", "mutes"):
        assert scalar(server, f"SELECT COUNT(*) FROM {table} WHERE account_id = :m", m=mid) == 1

    calls = [
        mastodon(token, f"/api/v1/accounts/{other.id}/{'block' if i % 2 else 'unblock'}")
        if i % 3
        else misskey(me.token, "blocking/create", userId=other.id)
        for i in range(RACERS)
    ]
    outcomes = misskey_codes(race(server, calls))
    assert set(outcomes) <= {"ok", "ALREADY_BLOCKING"}, outcomes
    assert_account_counters(server, me.id, other.id)
    assert_no_duplicates(server)


# Deletion racing everything that locks the same rows. Each write transaction locks statuses
# first (ascending id), then accounts (see store/writes.py): otherwise PostgreSQL answers
# some of these with a deadlock (a 500).


def assert_status_counters(server: RunningServer, *account_ids: str) -> None:
    """reblogs_count and replies_count of these accounts' statuses equal COUNT(*)."""
    ids = ", ".join(str(int(a)) for a in account_ids)
    drifted = sql(
        server,
        "SELECT s.id, s.reblogs_count, s.replies_count,"
        " (SELECT COUNT(*) FROM statuses r WHERE r.reblog_of_id = s.id),"
        " (SELECT COUNT(*) FROM statuses r WHERE r.in_reply_to_id = s.id)"
        f" FROM statuses s WHERE s.account_id IN ({ids})",
    )
    assert [r for r in drifted if (r[1], r[2]) != (r[3], r[4])] == []


def test_deleting_while_others_pin_reblog_unreblog_reply_bookmark(
    server: RunningServer,
) -> None:
    author = mk_user(server)
    fan, booster, replier = register(server), register(server), mk_user(server)
    statuses = [_post(author.mastodon, f"doomed {n}") for n in range(12)]
    reblogs = {}
    for sid in statuses:
        r = fan.api.post(f"/api/v1/statuses/{sid}/reblog")
        assert r.status_code == 200, r.text
        reblogs[sid] = r.json()["id"]
    calls = []
    for n, sid in enumerate(statuses):
        calls.append(mastodon(author.mastodon.token, f"/api/v1/statuses/{sid}", "DELETE"))
        calls.append(mastodon(author.mastodon.token, f"/api/v1/statuses/{sid}/pin"))
        if n % 2:  # undoing the reblog either way
            calls.append(mastodon(fan.token, f"/api/v1/statuses/{sid}/unreblog"))
        else:
            calls.append(mastodon(fan.token, f"/api/v1/statuses/{reblogs[sid]}", "DELETE"))
        calls.append(mastodon(booster.token, f"/api/v1/statuses/{sid}/reblog"))
        reply = {"status": "a reply", "in_reply_to_id": sid}
        calls.append(mastodon(replier.mastodon.token, "/api/v1/statuses", **reply))
        if n % 2:
            calls.append(misskey(replier.token, "notes/favorites/create", noteId=sid))
        else:
            calls.append(mastodon(replier.mastodon.token, f"/api/v1/statuses/{sid}/bookmark"))
    outcomes = misskey_codes(race(server, calls))  # no 5xx (deadlocks) among them
    # A request that came after the delete finds nothing (a favorite or bookmark whose
    # insert waited for the delete meets a missing row: "not found", not a duplicate).
    assert set(outcomes) <= {
        "ok",
        "404 Record not found",
        "NO_SUCH_NOTE",
        "422 Validation failed: You have already pinned the maximum number of posts",
    }, outcomes
    assert outcomes["ok"] >= len(statuses)  # every delete went through
    assert (
        scalar(server, "SELECT COUNT(*) FROM statuses WHERE id IN ({})".format(", ".join(statuses)))
        == 0
    )
    everyone = (author.id, fan.id, booster.id, replier.id)
    assert_account_counters(server, *everyone)
    assert_status_counters(server, *everyone)
    assert_no_duplicates(server)


def test_deletes_whose_rebloggers_cross(server: RunningServer) -> None:
    owners = [register(server), register(server)]
    boosters = [register(server) for _ in range(3)]
    doomed = []
    for n in range(12):
        sid = _post(owners[n % 2], f"crossed {n}")
        order = boosters if n % 2 else boosters[::-1]  # each pair reblogged in opposite orders
        for booster in order[n % 3 :] + order[: n % 3]:
            r = booster.api.post(f"/api/v1/statuses/{sid}/reblog")
            assert r.status_code == 200, r.text
        doomed.append((owners[n % 2], sid))
    responses = race(
        server, [mastodon(o.token, f"/api/v1/statuses/{sid}", "DELETE") for o, sid in doomed]
    )
    assert {r.status_code for r in responses} == {200}
    everyone = (*(o.id for o in owners), *(b.id for b in boosters))
    assert_account_counters(server, *everyone)
    assert_status_counters(server, *everyone)


def test_one_authorization_code_and_one_refresh_token_serve_one_racer(
    server: RunningServer,
) -> None:
    from test_oauth import _login_and_consent, make_app

    user = register(server)
    redirect = "https://client.example/callback"
    app = make_app(server, redirect_uris=redirect, scopes="read").json()
    url = (
        f"/oauth/authorize?response_type=code&client_id={app['client_id']}&redirect_uri={redirect}"
    )
    code = parse_qs(urlsplit(_login_and_consent(server, user, url).headers["location"]).query)
    client = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    exchange = {**client, "grant_type": "authorization_code", "redirect_uri": redirect}
    responses = race(
        server, [mastodon("", "/oauth/token", **exchange, code=code["code"][0]) for _ in range(12)]
    )
    won = [r.json() for r in responses if r.status_code == 200]
    assert len(won) == 1, [r.status_code for r in responses]
    assert {r.json()["error"] for r in responses if r.status_code != 200} == {"invalid_grant"}
    refresh = {**client, "grant_type": "refresh_token", "refresh_token": won[0]["refresh_token"]}
    responses = race(server, [mastodon("", "/oauth/token", **refresh) for _ in range(12)])
    assert sorted(r.status_code for r in responses) == [200] + [400] * 11
    assert {r.json()["error"] for r in responses if r.status_code != 200} == {"invalid_grant"}


def test_one_backup_code_signs_in_once(server: RunningServer) -> None:
    from test_two_factor import _enable

    user = mk_user(server)
    _totp, codes = _enable(user)
    body = {"username": user.username, "password": PASSWORD, "token": codes[0]}
    responses = race(server, [Call("", "/api/signin-flow", misskey=body) for _ in range(10)])
    assert [r.json().get("finished") for r in responses].count(True) == 1
    assert misskey_codes(responses) == Counter({"ok": 1, "INCORRECT_TOKEN": 9})
    assert Misskey(server, user.token)("i")["twoFactorBackupCodesStock"] == "partial"


def test_integrity_errors_are_told_apart() -> None:
    """The store's last-resort net: unique → duplicate, foreign key → not found, else a bug
    (PostgreSQL's SQLSTATEs are met in the races above; SQLite's codes here)."""
    from sqlalchemy import event
    from sqlalchemy.exc import IntegrityError

    from tandem.store.db import violation

    engine = create_engine("sqlite://", poolclass=NullPool)
    event.listen(engine, "connect", lambda c, _r: c.execute("PRAGMA foreign_keys=ON"))
    seen = []
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)"))
        conn.execute(text("CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a)"))
        conn.execute(text("INSERT INTO a VALUES (1, 'x')"))
        for statement in (
            "INSERT INTO a VALUES (2, 'x')",
            "INSERT INTO a VALUES (1, 'y')",
            "INSERT INTO b VALUES (1, 99)",
            "INSERT INTO a VALUES (3, NULL)",
        ):
            try:
                with conn.begin_nested():
                    conn.execute(text(statement))
            except IntegrityError as err:
                seen.append(violation(err))
    engine.dispose()
    assert seen == ["unique", "unique", "foreign_key", "other"]


def test_a_write_leaves_constraint_clashes_as_domain_errors(tmp_path: Any) -> None:
    """`Database.write()` turns what a concurrent twin causes into the errors the dialects
    already answer ("already done", "not found"); a real bug still surfaces as itself."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from tandem.core.errors import Conflict, RowGone
    from tandem.store.db import Database

    async def run() -> None:
        db = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
        async with db.write() as conn:
            await conn.execute(text("CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"))
            await conn.execute(
                text("CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a)")
            )
            await conn.execute(text("INSERT INTO a VALUES (1, 'x')"))
        for statement, expected in (
            ("INSERT INTO a VALUES (1, 'y')", Conflict),
            ("INSERT INTO b VALUES (1, 99)", RowGone),
            ("INSERT INTO a VALUES (2, NULL)", IntegrityError),
        ):
            with pytest.raises(expected):
                async with db.write() as conn:
                    await conn.execute(text(statement))
        async with db.write() as conn:  # nothing of the failed writes was kept
            assert (await conn.execute(text("SELECT COUNT(*) FROM b"))).scalar() == 0
        await db.dispose()

    asyncio.run(run())
