"""The layer contracts: each layer's banned imports are refused by ruff, and Misskey's social
writes decide "already so" inside their one write transaction instead of reading first.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.misskey import MkUser, mk_user
from support.server import RunningServer

ROOT = Path(__file__).resolve().parent.parent
RUFF = [sys.executable, "-m", "ruff"]

# (file under src/tandem, import line, banned module ruff names; None: allowed there)
IMPORTS = [
    ("core/zz.py", "from sqlalchemy import select", "sqlalchemy"),
    ("core/zz.py", "from tandem.store.schema import follows", "tandem.store.schema"),
    ("core/zz.py", "from tandem.store import schema", "tandem.store.schema"),
    ("core/zz.py", "from tandem.store.writes import insert_new", "tandem.store.writes"),
    ("core/zz.py", "from starlette.requests import Request", "starlette"),
    ("core/zz.py", "from tandem.api.http import JSON", "tandem.api"),
    ("core/zz.py", "from tandem.web import pages", "tandem.web"),
    ("core/zz.py", "from tandem.jobs.worker import Worker", "tandem.jobs"),
    ("core/zz.py", "from tandem.services import Services", "tandem.services"),
    ("core/zz.py", "from tandem.store import follows", None),
    ("api/zz.py", "from tandem.store.db import Database", "tandem.store"),
    ("api/zz.py", "import sqlalchemy", "sqlalchemy"),
    ("api/zz.py", "from tandem.core.handles import Database", None),
    ("api/misskey/zz.py", "from tandem.store import accounts", "tandem.store"),
    ("api/misskey/zz.py", "from tandem.api.mastodon.endpoint import Ctx", "tandem.api.mastodon"),
    ("api/misskey/zz.py", "from tandem.api.http import JSON", None),
    ("api/mastodon/routes/zz.py", "from tandem.store.files import MediaFiles", "tandem.store"),
    ("api/mastodon/routes/zz.py", "from tandem.api.misskey import formats", "tandem.api.misskey"),
    ("web/zz.py", "from tandem.store import users", "tandem.store"),
    ("jobs/zz.py", "from tandem.store import accounts", "tandem.store"),
    ("jobs/zz.py", "from tandem.store import jobs", "tandem.store"),
    ("jobs/zz.py", "from tandem.core import accounts", None),
    ("jobs/worker.py", "from tandem.store import jobs", None),  # the queue machinery itself
]


def test_each_layer_bans_its_imports(tmp_path: Path) -> None:
    """The real ruff configuration (pyproject.toml and the layers' nested ruff.toml files),
    run from the root as ./test does, on files that import across the layers."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for config in (ROOT / "src" / "tandem").rglob("ruff.toml"):
        target = tmp_path / config.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(config, target)
    files: dict[str, list[str]] = {}
    for name, line, _ in IMPORTS:
        files.setdefault(name, []).append(line)
    for name, lines in files.items():
        path = tmp_path / "src" / "tandem" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
    done = subprocess.run(
        [*RUFF, "check", "--no-cache", "--select", "TID251", "--output-format", "json", "src"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    flagged = {
        (
            Path(d["filename"]).relative_to(tmp_path / "src" / "tandem").as_posix(),
            d["location"]["row"],
        )
        for d in json.loads(done.stdout)
    }
    messages = {d["message"] for d in json.loads(done.stdout)}
    for name, lines in files.items():
        for row, line in enumerate(lines, start=1):
            banned = next(b for n, li, b in IMPORTS if n == name and li == line)
            assert ((name, row) in flagged) == (banned is not None), (name, line, done.stdout)
            if banned is not None:
                assert any(f"`{banned}` is banned" in m for m in messages), (banned, messages)


@pytest.fixture(scope="module")
def counted(backend: str) -> Iterator[RunningServer]:
    server = RunningServer(backend, report_statement_count=True).start()
    try:
        yield server
    finally:
        server.close()


def _pair(server: RunningServer) -> tuple[MkUser, MkUser]:
    """Two new users: each test starts with no relationship between them."""
    actor, other = mk_user(server), mk_user(server)
    actor.mk("i")  # the token's first use writes its "last used" time: not counted below
    return actor, other


def _send(user: MkUser, endpoint: str, target: str) -> tuple[str, int]:
    r = user.mk.raw(endpoint, {"userId": target})
    outcome = r.json()["error"]["code"] if r.status_code >= 400 else "ok"
    return outcome, int(r.headers["x-statement-count"])


# Each strict write, the answer it gives when repeated, and the request that sets it up.
REPEATS = [
    ("following/create", "ALREADY_FOLLOWING"),
    ("following/delete", "NOT_FOLLOWING"),
    ("blocking/create", "ALREADY_BLOCKING"),
    ("blocking/delete", "NOT_BLOCKING"),
    ("mute/create", "ALREADY_MUTING"),
    ("mute/delete", "NOT_MUTING"),
]
# What the write itself reads before deciding: the two account locks (PostgreSQL) and the
# pair's rows. A pre-read of the relationship (a read transaction first) would add more.
OWN_CHECKS = 4


@pytest.mark.parametrize(("endpoint", "repeated"), REPEATS)
def test_already_so_is_decided_by_the_write(
    counted: RunningServer, endpoint: str, repeated: str
) -> None:
    actor, other = _pair(counted)
    outcome, missing = _send(actor, endpoint, "999999999")
    assert outcome == "NO_SUCH_USER"
    _send(actor, endpoint, other.id)  # done (or, for a delete, already undone)
    outcome, again = _send(actor, endpoint, other.id)
    assert outcome == repeated
    assert again <= missing + OWN_CHECKS, f"{endpoint} answered {repeated} after {again}"


def test_withdrawing_a_request_keeps_an_accepted_follow(counted: RunningServer) -> None:
    follower, other = _pair(counted)
    assert _send(follower, "following/create", other.id)[0] == "ok"
    assert _send(follower, "following/requests/cancel", other.id)[0] == "NO_FOLLOW_REQUEST"
    shown = follower.mk("users/show", {"userId": other.id})
    assert shown["isFollowing"] is True
    assert _send(follower, "following/create", other.id)[0] == "ALREADY_FOLLOWING"
