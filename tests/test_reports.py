"""Reports of accounts to the moderators: filed through both dialects (Mastodon
`POST /api/v1/reports`, Misskey `users/report-abuse`) with their validation errors, and
across servers: a report forwarded by server A about an account of server B reaches B as a
Flag from A's instance actor and is stored there, unless B ignores A's reports.

There is no API to read reports yet (the moderation queue comes later), so the stored rows
are read straight from each server's database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest

from support.api import User, register
from support.cli import tandem
from support.federation import server_pair, wait_for
from support.misskey import mk_user
from support.server import RunningServer
from test_concurrency import sql


def post(user: User, text: str, visibility: str = "public") -> str:
    r = user.api.post("/api/v1/statuses", data={"status": text, "visibility": visibility})
    assert r.status_code == 200, r.text
    return str(r.json()["id"])


def stored(server: RunningServer, target_id: str) -> list[dict[str, Any]]:
    rows = sql(
        server,
        "SELECT account_id, category, comment, status_ids, rule_ids, forwarded, uri"
        " FROM reports WHERE target_account_id = :target ORDER BY id",
        target=int(target_id),
    )
    keys = ("account_id", "category", "comment", "status_ids", "rule_ids", "forwarded", "uri")
    found = [dict(zip(keys, row, strict=True)) for row in rows]
    for report in found:
        report["status_ids"] = orjson.loads(report["status_ids"])
        report["rule_ids"] = orjson.loads(report["rule_ids"])
        report["forwarded"] = bool(report["forwarded"])
    return found


def report(user: User, **data: Any) -> Any:
    return user.api.post("/api/v1/reports", data=data)


def test_mastodon_report(server: RunningServer) -> None:
    alice, bob = register(server), register(server)
    first, second = post(bob, "spam one"), post(bob, "spam two")
    r = report(
        alice,
        account_id=bob.id,
        **{"status_ids[]": [first, second]},
        comment="Selling things",
        category="spam",
        forward="true",  # bob is local: nothing to forward
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["action_taken"] is False
    assert body["action_taken_at"] is None
    assert body["category"] == "spam"
    assert body["comment"] == "Selling things"
    assert body["forwarded"] is False
    assert sorted(body["status_ids"]) == sorted([first, second])
    assert body["rule_ids"] is None
    assert body["target_account"]["id"] == bob.id
    assert body["created_at"].endswith("Z")
    assert r.headers["X-RateLimit-Limit"]
    rows = stored(server, bob.id)
    assert len(rows) == 1
    assert rows[0]["account_id"] == int(alice.id)
    assert rows[0]["status_ids"] == sorted(int(i) for i in (first, second))
    assert (rows[0]["category"], rows[0]["forwarded"], rows[0]["uri"]) == ("spam", False, None)

    # Only the account is required; the category defaults to other.
    r = report(alice, account_id=bob.id)
    assert r.status_code == 200, r.text
    assert (r.json()["category"], r.json()["comment"], r.json()["status_ids"]) == ("other", "", [])


def test_mastodon_report_validation(server: RunningServer) -> None:
    alice, bob = register(server), register(server)
    own = post(alice, "mine")
    hidden = post(bob, "for my followers", visibility="private")

    def refused(status: int, **data: Any) -> dict[str, Any]:
        r = report(alice, **data)
        assert r.status_code == status, r.text
        return dict(r.json())

    refused(404)  # no account_id
    refused(404, account_id="999999999")
    refused(404, account_id="not-an-id")
    details = refused(422, account_id=bob.id, **{"status_ids[]": [own]})["details"]
    assert details["status_ids"][0]["error"] == "ERR_INVALID"
    refused(422, account_id=bob.id, **{"status_ids[]": [hidden]})  # alice cannot see it
    refused(422, account_id=bob.id, **{"status_ids[]": ["garbage"]})
    body = refused(422, account_id=bob.id, comment="x" * 1001)
    assert body["details"]["comment"][0]["error"] == "ERR_TOO_LONG"
    assert "Comment" in body["error"]
    body = refused(422, account_id=bob.id, category="bogus")
    assert body["details"]["category"][0]["error"] == "ERR_INCLUSION"
    # tandem has no server rules: a violation names none that exist.
    assert refused(422, account_id=bob.id, category="violation")["details"]["rule_ids"]
    assert refused(422, account_id=bob.id, **{"rule_ids[]": ["1"]})["details"]["rule_ids"]
    assert stored(server, bob.id) == []
    assert report(alice, account_id=bob.id, comment="x" * 1000).status_code == 200


def test_reports_limiter(make_server: Callable[..., RunningServer]) -> None:
    """Mastodon's `reports` family: 400 a day per account (2 here)."""
    server = make_server(require_email_confirmation=False, throttles="reports=2/86400")
    alice, bob = register(server), register(server)
    codes = [report(alice, account_id=bob.id).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_misskey_report_abuse(server: RunningServer) -> None:
    carol, dave, boss = mk_user(server), mk_user(server), mk_user(server)
    assert carol.mk("users/report-abuse", {"userId": dave.id, "comment": "rude"}) is None
    rows = stored(server, dave.id)
    assert [(r["account_id"], r["comment"], r["category"]) for r in rows] == [
        (int(carol.id), "rude", "other")
    ]
    mk = carol.mk
    mk.error(
        "users/report-abuse", {"userId": carol.id, "comment": "me"}, 400, "CANNOT_REPORT_YOURSELF"
    )
    mk.error("users/report-abuse", {"userId": "9999999", "comment": "x"}, 400, "NO_SUCH_USER")
    mk.error("users/report-abuse", {"userId": dave.id}, 400, "INVALID_PARAM")
    mk.error("users/report-abuse", {"userId": dave.id, "comment": ""}, 400, "INVALID_PARAM")
    # Misskey's limit is longer than Mastodon's.
    mk("users/report-abuse", {"userId": dave.id, "comment": "y" * 2048})
    mk.error("users/report-abuse", {"userId": dave.id, "comment": "y" * 2049}, 400, "INVALID_PARAM")
    tandem(server, "admin", "set-role", boss.username, "admin")
    error = mk.error(
        "users/report-abuse", {"userId": boss.id, "comment": "x"}, 400, "CANNOT_REPORT_THE_ADMIN"
    )
    assert error["id"] == "35e166f5-05fb-4f87-a2d5-adb42676d48f"
    assert stored(server, boss.id) == []
    # A Mastodon client may report the administrator.
    assert report(carol.mastodon, account_id=boss.id).status_code == 200


# --- across servers ---


@pytest.fixture(scope="module")
def servers(backend: str) -> Iterator[tuple[RunningServer, RunningServer]]:
    with server_pair(backend) as pair:
        yield pair


def remote(viewer: User, other: User, status_id: str) -> tuple[str, str]:
    """The ids `viewer`'s server gives `other` and one of its posts (resolved by URL)."""
    domain = other.server.settings.domain
    r = viewer.api.get("/api/v1/accounts/lookup", params={"acct": f"{other.username}@{domain}"})
    assert r.status_code == 200, r.text
    account_id = str(r.json()["id"])
    uri = f"{other.server.base_url}/ap/users/{other.id}/statuses/{status_id}"
    r = viewer.api.get("/api/v2/search", params={"q": uri, "resolve": "true", "type": "statuses"})
    assert r.status_code == 200, r.text
    assert r.json()["statuses"], r.text
    return account_id, str(r.json()["statuses"][0]["id"])


def test_forwarded_report_arrives_as_flag(servers: tuple[RunningServer, RunningServer]) -> None:
    a, b = servers
    alice, bob = register(a), register(b)
    spam = post(bob, "buy now")
    bob_on_a, spam_on_a = remote(alice, bob, spam)

    # Not forwarded unless asked, nor when the chosen servers leave bob's out.
    r = report(alice, account_id=bob_on_a, comment="kept here")
    assert r.status_code == 200, r.text
    assert r.json()["forwarded"] is False
    r = report(
        alice,
        account_id=bob_on_a,
        forward="true",
        comment="kept here too",
        **{"forward_to_domains[]": ["elsewhere.example"]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["forwarded"] is False

    r = report(
        alice,
        account_id=bob_on_a,
        **{"status_ids[]": [spam_on_a]},
        comment="Spam from your user",
        forward="true",
    )
    assert r.status_code == 200, r.text
    assert r.json()["forwarded"] is True
    assert r.json()["status_ids"] == [spam_on_a]

    rows = wait_for(lambda: stored(b, bob.id), "the Flag on B")
    assert len(rows) == 1, rows  # only the forwarded report reached B
    flag = rows[0]
    assert flag["comment"] == "Spam from your user"
    assert flag["status_ids"] == [int(spam)]
    assert flag["uri"] == f"{a.base_url}/reports/{r.json()['id']}"
    # Sent by A's instance actor: the reporter stays anonymous.
    (sender,) = sql(b, "SELECT uri, actor_type FROM accounts WHERE id = :id", id=flag["account_id"])
    assert sender == (f"{a.base_url}/actor", "Application")
    # Stored once, on A, as alice's report.
    assert len(stored(a, bob_on_a)) == 3


def test_flag_from_a_server_whose_reports_are_ignored(
    servers: tuple[RunningServer, RunningServer],
) -> None:
    a, b = servers
    alice, bob = register(a), register(b)
    bob_on_a, _ = remote(alice, bob, post(bob, "hello"))
    tandem(b, "admin", "domain-block", "add", "127.0.0.1", "--severity", "noop", "--reject-reports")
    try:
        r = report(alice, account_id=bob_on_a, comment="ignored", forward="true")
        assert r.status_code == 200, r.text
        assert r.json()["forwarded"] is True
        flag_id = f"{a.base_url}/reports/{r.json()['id']}"

        def handled() -> bool:
            rows = sql(b, "SELECT state, payload FROM jobs WHERE kind = 'ap_inbox'")
            return any(state == "done" and flag_id in payload for state, payload in rows)

        wait_for(handled, "B to handle the Flag")
        assert stored(b, bob.id) == []
    finally:
        tandem(b, "admin", "domain-block", "remove", "127.0.0.1")


def test_forwarded_to_the_servers_replied_to(
    servers: tuple[RunningServer, RunningServer], backend: str
) -> None:
    """As Mastodon: a forwarded report also goes to the servers (among those the reporter
    names) of the accounts its posts reply to, and such a server files it when the posts reply
    to its own accounts."""
    a, b = servers
    c = RunningServer(backend).start()
    try:
        alice, bob, carol = register(a), register(b), register(c)
        original = post(carol, "an honest question")
        _, original_on_b = remote(bob, carol, original)
        r = bob.api.post(
            "/api/v1/statuses",
            data={"status": f"@{carol.username}@{c.settings.domain} rude", "in_reply_to_id":
                  original_on_b},
        )  # fmt: skip
        assert r.status_code == 200, r.text
        reply = str(r.json()["id"])
        remote(alice, carol, original)  # (A knows what the reply answers)
        bob_on_a, reply_on_a = remote(alice, bob, reply)
        on_a = alice.api.get(f"/api/v1/statuses/{reply_on_a}").json()
        assert on_a["in_reply_to_account_id"] is not None

        # Named servers: bob's and carol's.
        r = report(alice, account_id=bob_on_a, forward="true", comment="to both",
                   **{"status_ids[]": [reply_on_a],
                      "forward_to_domains[]": [b.settings.domain, c.settings.domain]})  # fmt: skip
        assert r.status_code == 200, r.text
        assert r.json()["forwarded"] is True
        wait_for(lambda: stored(b, bob.id), "the Flag on B")
        lookup = carol.api.get(
            "/api/v1/accounts/lookup", params={"acct": f"{bob.username}@{b.settings.domain}"}
        )
        bob_on_c = str(lookup.json()["id"])
        (filed,) = wait_for(lambda: stored(c, bob_on_c), "the Flag on C")
        assert filed["comment"] == "to both"
        (reply_on_c,) = sql(c, "SELECT id FROM statuses WHERE account_id = :a", a=int(bob_on_c))
        assert filed["status_ids"] == [reply_on_c[0]]

        # No servers named: only bob's own hears of it.
        r = report(alice, account_id=bob_on_a, forward="true", comment="to bob's",
                   **{"status_ids[]": [reply_on_a]})  # fmt: skip
        assert r.status_code == 200, r.text
        flag_id = f"{a.base_url}/reports/{r.json()['id']}"
        wait_for(lambda: len(stored(b, bob.id)) == 2, "the second Flag on B")
        rows = sql(a, "SELECT payload FROM jobs WHERE kind = 'ap_deliver'")
        payloads = [p if isinstance(p, dict) else orjson.loads(p) for (p,) in rows]
        inboxes = [p["inbox"] for p in payloads if p["activity"]["id"] == flag_id]
        assert len(inboxes) == 1
        assert inboxes[0].startswith(b.base_url)
        assert len(stored(c, bob_on_c)) == 1
    finally:
        c.close()
