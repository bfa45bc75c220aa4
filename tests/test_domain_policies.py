"""Moderation of other servers: `tandem admin domain-block` / `domain-allow`, the rules
federation asks (`core.domain_policies.policy_for`: subdomains, the most specific block,
allow-list mode), a suspension's effect on the domain's accounts and their follows, and
Mastodon's `/api/v1/instance/domain_blocks` and `/api/v1/instance/peers` per setting.

Remote accounts and their follows are written straight into the database (nothing creates
them over HTTP in these tests). The module has servers of its own: its blocks would show on
every other test's server.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import itertools
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest

from support.api import Api, User, app_token, register
from support.cli import tandem
from support.server import RunningServer
from support.sql import execute
from tandem.config import ConfigError, load_settings
from tandem.core import domain_policies
from tandem.core.domain_policies import DomainPolicy
from tandem.store.db import Database

T = TypeVar("T")
_ids = itertools.count(9_100_000_000_000_000)


def with_core(server: RunningServer, action: Callable[[Database], Awaitable[T]]) -> T:
    """Call core directly on the server's database (what federation code does)."""

    async def run() -> T:
        db = Database(server.database.url)
        try:
            return await action(db)
        finally:
            await db.dispose()

    return asyncio.run(run())


def remote_account(server: RunningServer, username: str, domain: str) -> int:
    account_id = next(_ids)
    execute(
        server,
        "INSERT INTO accounts (id, username, username_key, domain, domain_key, created_at, "
        "updated_at) VALUES (:id, :u, :uk, :d, :dk, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        id=account_id,
        u=username,
        uk=username.lower(),
        d=domain,
        dk=domain.lower(),
    )
    return account_id


def follow_row(server: RunningServer, follower: int, followed: int, table: str = "follows") -> None:
    """A follow (or a pending request), with the counters a follow moves."""
    execute(
        server,
        f"INSERT INTO {table} (id, account_id, target_account_id, created_at) "
        "VALUES (:id, :a, :t, CURRENT_TIMESTAMP)",
        id=next(_ids),
        a=follower,
        t=followed,
    )
    if table == "follows":
        execute(
            server,
            "UPDATE accounts SET following_count = following_count + 1 WHERE id = :id",
            id=follower,
        )
        execute(
            server,
            "UPDATE accounts SET followers_count = followers_count + 1 WHERE id = :id",
            id=followed,
        )


def suspended(server: RunningServer, account_id: int) -> bool:
    rows = execute(server, "SELECT suspended_at FROM accounts WHERE id = :id", id=account_id)
    return rows[0][0] is not None


def counters_match(server: RunningServer, account_id: int) -> None:
    (followers, following), *_ = execute(
        server,
        "SELECT followers_count, following_count FROM accounts WHERE id = :id",
        id=account_id,
    )
    real_followers = execute(
        server, "SELECT COUNT(*) FROM follows WHERE target_account_id = :id", id=account_id
    )[0][0]
    real_following = execute(
        server, "SELECT COUNT(*) FROM follows WHERE account_id = :id", id=account_id
    )[0][0]
    assert (followers, following) == (real_followers, real_following)


def pairs(server: RunningServer, table: str, account_id: int) -> int:
    return int(
        execute(
            server,
            f"SELECT COUNT(*) FROM {table} WHERE account_id = :id OR target_account_id = :id",
            id=account_id,
        )[0][0]
    )


def policy(server: RunningServer, host: str, **settings: Any) -> DomainPolicy:
    chosen = dataclasses.replace(server.settings, **settings)
    return with_core(server, lambda db: domain_policies.policy_for(db, chosen, host))


@pytest.fixture(scope="module")
def world(backend: str) -> Iterator[RunningServer]:
    """Domain blocks shown to signed-in users."""
    running = RunningServer(backend, show_domain_blocks="users").start()
    yield running
    running.close()


@pytest.fixture(scope="module")
def open_world(backend: str) -> Iterator[RunningServer]:
    """Domain blocks shown to everyone, with their reasons."""
    running = RunningServer(
        backend, show_domain_blocks="all", show_domain_blocks_rationale="all"
    ).start()
    yield running
    running.close()


@pytest.fixture(scope="module")
def limited(backend: str) -> Iterator[RunningServer]:
    """Allow-list mode, domain blocks shown to nobody."""
    running = RunningServer(
        backend, federation_mode="allowlist", show_domain_blocks="disabled"
    ).start()
    yield running
    running.close()


def test_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match="federation_mode"):
        load_settings(federation_mode="open")
    with pytest.raises(ConfigError, match="show_domain_blocks"):
        load_settings(show_domain_blocks="everyone")
    assert load_settings(federation_mode="allowlist").federation_mode == "allowlist"


def test_cli_adds_lists_updates_and_removes_blocks(world: RunningServer) -> None:
    done = tandem(world, "admin", "domain-block", "add", "Spam.Example", "--reject-media")
    assert done.stdout.splitlines()[0] == "blocked spam.example (silence, reject_media)"
    tandem(
        world, "admin", "domain-block", "add", "bücher.example", "--severity", "noop",
        "--reject-reports", "--public-comment", "spam", "--private-comment", "ticket 12",
    )  # fmt: skip
    listed = tandem(world, "admin", "domain-block", "list").stdout.splitlines()
    assert "spam.example\tsilence\treject_media\t\t" in listed
    assert "xn--bcher-kva.example\tnoop\treject_reports\tspam\tticket 12" in listed
    # Adding again sets the block to the new values.
    done = tandem(world, "admin", "domain-block", "add", "spam.example", "--severity", "suspend")
    assert done.stdout.startswith("block updated: spam.example (suspend, -)")
    assert policy(world, "spam.example").severity == "suspend"
    assert tandem(world, "admin", "domain-block", "remove", "SPAM.example.").returncode == 0
    assert tandem(world, "admin", "domain-block", "remove", "xn--bcher-kva.example").returncode == 0
    listed = tandem(world, "admin", "domain-block", "list").stdout
    assert "spam.example" not in listed
    assert "bcher" not in listed
    gone = tandem(world, "admin", "domain-block", "remove", "spam.example", check=False)
    assert (gone.returncode, gone.stderr.strip()) == (1, "spam.example is not blocked")


def test_cli_refuses_bad_domains(world: RunningServer) -> None:
    for bad in ("not a domain", "exa_mple.org", "x-.org", "a" * 64 + ".org", "", "a:80"):
        done = tandem(world, "admin", "domain-block", "add", bad, check=False)
        assert done.returncode == 2, (bad, done.stderr)
        assert "not a valid domain name" in done.stderr
    done = tandem(world, "admin", "domain-block", "add", "x.org", "--severity", "ban", check=False)
    assert done.returncode == 2
    # This server's own domain (with its port, if it has one) cannot be blocked.
    ours = dataclasses.replace(world.settings, domain="Social.Example")
    with pytest.raises(domain_policies.OwnDomain):
        with_core(world, lambda db: domain_policies.block_domain(db, ours, "social.example"))
    allowlist = {"federation_mode": "allowlist", "domain": "social.example"}
    assert policy(world, "Social.Example", **allowlist).refused is False
    assert tandem(world, "admin", "domain-allow", "add", "a b", check=False).returncode == 2


def test_policy_covers_subdomains_and_the_most_specific_wins(world: RunningServer) -> None:
    tandem(world, "admin", "domain-block", "add", "bad.example", "--severity", "suspend")
    tandem(world, "admin", "domain-block", "add", "ok.bad.example", "--severity", "noop",
           "--reject-media")  # fmt: skip
    tandem(world, "admin", "domain-block", "add", "loud.example")
    try:
        for host in ("bad.example", "BAD.example:8443", "deep.sub.bad.example", "bad.example."):
            found = policy(world, host)
            assert (found.severity, found.refused, found.allowed) == ("suspend", True, True), host
        assert policy(world, "Deep.Sub.Bad.Example:1").domain == "deep.sub.bad.example"
        kept = policy(world, "x.ok.bad.example")
        assert (kept.severity, kept.reject_media, kept.refused) == ("none", True, False)
        silenced = policy(world, "loud.example")
        assert (silenced.severity, silenced.refused, silenced.allowed) == ("silence", False, True)
        # A suffix that is not a parent domain is not covered.
        assert policy(world, "notbad.example").severity == "none"
        # Not a domain name at all: nothing names it, nothing breaks.
        odd = policy(world, "[::1]:8000")
        assert (odd.severity, odd.refused) == ("none", False)
        assert policy(world, "127.0.0.1:1234").refused is False
    finally:
        for domain in ("bad.example", "ok.bad.example", "loud.example"):
            tandem(world, "admin", "domain-block", "remove", domain)


def test_allow_list_mode(world: RunningServer) -> None:
    tandem(world, "admin", "domain-allow", "add", "friends.example")
    again = tandem(world, "admin", "domain-allow", "add", "Friends.Example")
    assert again.stdout.strip() == "friends.example was allowed already"
    listed = tandem(world, "admin", "domain-allow", "list").stdout
    assert listed.startswith("friends.example\t")
    allowlist = {"federation_mode": "allowlist"}
    assert policy(world, "friends.example", **allowlist).allowed is True
    assert policy(world, "a.friends.example:443", **allowlist).refused is False
    stranger = policy(world, "stranger.example", **allowlist)
    assert (stranger.allowed, stranger.refused) == (False, True)
    # Another port of our host is another server (a development machine's).
    assert policy(world, "127.0.0.1:9", **allowlist).refused is True
    assert policy(world, world.settings.domain, **allowlist).refused is False  # ourselves
    # In blocklist mode the list changes nothing.
    assert policy(world, "stranger.example").refused is False
    tandem(world, "admin", "domain-allow", "remove", "friends.example")
    assert policy(world, "friends.example", **allowlist).refused is True
    gone = tandem(world, "admin", "domain-allow", "remove", "friends.example", check=False)
    assert gone.returncode == 1


def test_suspending_a_domain_suspends_its_accounts_and_ends_follows(world: RunningServer) -> None:
    alice, bob = register(world), register(world)
    local_a, local_b = int(alice.id), int(bob.id)
    troll = remote_account(world, "troll", "evil.example")
    sub = remote_account(world, "imp", "Sub.Evil.Example:8443")
    spared = remote_account(world, "fine", "ok.evil.example")  # a block of its own (noop)
    elsewhere = remote_account(world, "friend", "nice.example")
    already = remote_account(world, "banned", "evil.example")
    # Suspended by an admin before (CURRENT_TIMESTAMP: no block was created at that moment).
    execute(
        world, "UPDATE accounts SET suspended_at = CURRENT_TIMESTAMP WHERE id = :id", id=already
    )
    for remote in (troll, sub, spared, elsewhere):
        follow_row(world, local_a, remote)
        follow_row(world, remote, local_a)
    follow_row(world, local_b, troll, "follow_requests")
    follow_row(world, sub, local_b, "follow_requests")
    tandem(world, "admin", "domain-block", "add", "ok.evil.example", "--severity", "noop")
    done = tandem(world, "admin", "domain-block", "add", "evil.example", "--severity", "suspend")
    assert "accounts suspended: 2, unsuspended: 0" in done.stdout

    assert suspended(world, troll)
    assert suspended(world, sub)
    assert not suspended(world, spared)
    assert not suspended(world, elsewhere)
    for gone in (troll, sub):
        assert pairs(world, "follows", gone) == 0
        assert pairs(world, "follow_requests", gone) == 0
    assert pairs(world, "follows", spared) == 2
    for account in (local_a, local_b, troll, sub, spared, elsewhere):
        counters_match(world, account)
    me = alice.api.get("/api/v1/accounts/verify_credentials").json()
    assert (me["followers_count"], me["following_count"]) == (2, 2)
    peers = alice.api.get("/api/v1/instance/peers").json()
    assert "nice.example" in peers
    assert "ok.evil.example" in peers
    assert not {"evil.example", "sub.evil.example:8443"} & set(peers)
    assert peers == sorted(peers)

    # Lifting it clears the suspensions it made, not the one an admin made before.
    done = tandem(world, "admin", "domain-block", "remove", "evil.example")
    assert "accounts unsuspended: 2" in done.stdout
    assert not suspended(world, troll)
    assert not suspended(world, sub)
    assert suspended(world, already)
    assert {"evil.example", "sub.evil.example:8443"} <= set(
        alice.api.get("/api/v1/instance/peers").json()
    )
    # Silence → suspend → silence does the same through updates.
    tandem(world, "admin", "domain-block", "add", "evil.example")
    assert not suspended(world, troll)
    tandem(world, "admin", "domain-block", "add", "evil.example", "--severity", "suspend")
    assert suspended(world, troll)
    assert not suspended(world, spared)
    tandem(world, "admin", "domain-block", "add", "evil.example", "--severity", "silence")
    assert not suspended(world, troll)
    assert suspended(world, already)
    for domain in ("evil.example", "ok.evil.example"):
        tandem(world, "admin", "domain-block", "remove", domain)


def test_domain_blocks_hidden_by_default(server: RunningServer) -> None:
    """Mastodon's default shows the list to no one (Mastodon.py's suite expects the 404)."""
    user = register(server)
    assert user.api.get("/api/v1/instance/domain_blocks").status_code == 404


def test_domain_blocks_for_signed_in_users(world: RunningServer) -> None:
    tandem(world, "admin", "domain-block", "add", "example-bad.org", "--severity", "suspend",
           "--obfuscate", "--public-comment", "harassment")  # fmt: skip
    tandem(world, "admin", "domain-block", "add", "loud.example", "--public-comment", "noise")
    tandem(world, "admin", "domain-block", "add", "media.example", "--severity", "noop",
           "--reject-media")  # fmt: skip
    try:
        anonymous = Api(world).get("/api/v1/instance/domain_blocks")
        assert anonymous.status_code == 404, anonymous.text
        # An app's token is no signed-in user either.
        assert (
            Api(world, app_token(world, "read")).get("/api/v1/instance/domain_blocks").status_code
            == 404
        )
        user = register(world)
        shown = user.api.get("/api/v1/instance/domain_blocks")
        assert shown.status_code == 200, shown.text
        assert shown.json() == [
            {
                "domain": "exam*******.org",
                "digest": hashlib.sha256(b"example-bad.org").hexdigest(),
                "severity": "suspend",
                "comment": None,  # show_domain_blocks_rationale: disabled
            },
            {
                "domain": "loud.example",
                "digest": hashlib.sha256(b"loud.example").hexdigest(),
                "severity": "silence",
                "comment": None,
            },
        ]
        assert user.api.get("/api/v1/instance/peers").status_code == 200
        assert Api(world).get("/api/v1/instance/peers").status_code == 200
        instance = Api(world).get("/api/v2/instance").json()
        assert instance["configuration"]["limited_federation"] is False
    finally:
        for domain in ("example-bad.org", "loud.example", "media.example"):
            tandem(world, "admin", "domain-block", "remove", domain)


def test_domain_blocks_for_everyone_with_reasons(open_world: RunningServer) -> None:
    tandem(open_world, "admin", "domain-block", "add", "loud.example", "--public-comment",
           "noise", "--private-comment", "secret")  # fmt: skip
    shown = Api(open_world).get("/api/v1/instance/domain_blocks")
    assert shown.status_code == 200, shown.text
    assert shown.json() == [
        {
            "domain": "loud.example",
            "digest": hashlib.sha256(b"loud.example").hexdigest(),
            "severity": "silence",
            "comment": "noise",
        }
    ]


def test_limited_federation_mode(limited: RunningServer) -> None:
    for path in ("/api/v1/instance/domain_blocks", "/api/v1/instance/peers"):
        assert Api(limited).get(path).status_code == 401
        assert Api(limited, app_token(limited, "read")).get(path).status_code == 422
    user: User = register(limited)
    assert user.api.get("/api/v1/instance/peers").status_code == 404
    assert user.api.get("/api/v1/instance/domain_blocks").status_code == 404
    instance = user.api.get("/api/v2/instance").json()
    assert instance["configuration"]["limited_federation"] is True
