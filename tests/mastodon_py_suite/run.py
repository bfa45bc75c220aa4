"""Mastodon.py's own test suite, run live against tandem instead of replaying its cassettes.

The suite ships in the Mastodon.py sdist (PyPI), downloaded once into a cache folder
(`TANDEM_TEST_CACHE`, default `~/.cache/tandem-tests`), with the few test plugins it needs
(vcrpy, pytest-recording…) installed next to it; later runs are offline. A tandem is started
for it with the accounts, app and fixed tokens its setup (tests/setup.sql and README) creates;
its `localhost:3000` reaches tandem at name resolution (`tandem_redirect.py`) and
`--disable-recording` turns its cassettes off, so every request goes to tandem.

    .venv/bin/python tests/mastodon_py_suite/run.py [--backend sqlite] [test_x.py ...]

prints passed/failed/skipped counts per module (and each failing test with `-v`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/: the `support` package

from sqlalchemy import create_engine, delete, update  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from support.api import register  # noqa: E402
from support.server import RunningServer  # noqa: E402
from tandem.store.accounts import USERNAME_TERM, search_text  # noqa: E402
from tandem.store.db import driver_url  # noqa: E402
from tandem.store.schema import (  # noqa: E402
    account_search_terms,
    accounts,
    oauth_access_tokens,
    oauth_applications,
    users,
)

VERSION = "2.3.3"
SDIST = f"mastodon_py-{VERSION}"
# What its tests import besides Mastodon.py's own dependencies (installed with --no-deps, so
# nothing shadows the project's packages). pytest-retry and pytest-cov are left out: retries
# would hide flaky behaviour, and coverage of Mastodon.py is not our concern.
PLUGINS = (
    "vcrpy==9.4.2",
    "wrapt==2.5.2",
    "pytest-recording==0.14.1",
    "pytest-mock==3.17.0",
    "requests-mock==1.12.1",
    "pytz==2026.6",
    "http-ece==1.2.1",  # its webpush extra: test_push.py skips itself without it
    "graphemeu==0.11.0",  # its grapheme extra: test_status_length.py needs it
    "websocket-client==1.9.2",  # its websocket_streaming extra: test_streaming_websocket.py
)

# Its setup: the app and the fixed tokens (tests/setup.sql), and the accounts (its README's
# tootctl commands plus Mastodon's development seed, whose `admin` owns the admin token).
# Tests left out of the live run (pytest --deselect), each for the reason given.
DESELECTED = {
    # It asks mastodon.social whether its public timeline is open to anonymous readers: a
    # public server (the run is offline); its checks of the server under test are covered by
    # test_timeline.py's other tests.
    "test_timeline.py::test_timeline_disabled": "contacts mastodon.social",
}

# Modules run with VCR recording (`--record-mode=all`: every request still reaches tandem,
# and is written to a throwaway cassette) instead of with recording off, each for the reason
# given.
RECORDED_LIVE = {
    "test_streaming.py": "its event-stream tests read the streams through VCR's recorder "
    "(patch_streaming, and the `vcr` fixture recording turns off)",
}

# The links the suite posts, served locally so the server's own fetches find them (see
# `serve_links`): test_status_card posts http://example.org/ and waits for its card.
LINKED_PAGES = {
    "http://example.org/": """<!doctype html><html lang="en"><head>
<title>Example Domain</title>
<meta property="og:title" content="Example Domain">
<meta property="og:description" content="This domain is for use in documentation examples.">
<meta property="og:site_name" content="Example">
</head><body><h1>Example Domain</h1></body></html>""",
}
_PROXY_VARIABLES = ("http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY")

CLIENT_ID = "__MASTODON_PY_TEST_CLIENT_ID"
CLIENT_SECRET = "__MASTODON_PY_TEST_CLIENT_SECRET"
APP_SCOPES = "read write follow push admin:read admin:write"


@dataclass
class Person:
    username: str
    email: str
    role: str = "user"
    locale: str = "en"
    locked: bool = False
    discoverable: bool | None = None
    indexable: bool = False
    tokens: dict[str, str] = field(default_factory=dict)  # token -> scopes


PEOPLE = (
    Person(
        "admin",
        "admin@localhost",
        role="owner",
        tokens={"__MASTODON_PY_TEST_ACCESS_TOKEN_2": APP_SCOPES},
    ),
    Person("admin2", "zerocool@example.com", role="owner", locale="de"),
    Person(
        "mastodonpy_test",
        "mastodonpy_test@localhost",
        locale="ja",
        locked=True,
        tokens={"__MASTODON_PY_TEST_ACCESS_TOKEN": "read write follow push"},
    ),
    Person(
        "mastodonpy_test_2",
        "mastodonpy_test_2@localhost",
        locale="ja",
        discoverable=True,
        indexable=True,
        tokens={"__MASTODON_PY_TEST_ACCESS_TOKEN_3": "read write follow push"},
    ),
)


def cache_dir() -> Path:
    folder = Path(os.environ.get("TANDEM_TEST_CACHE") or Path.home() / ".cache" / "tandem-tests")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _pip(*args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pip {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def prepare() -> tuple[Path, Path]:
    """The extracted sdist and the plugins folder, fetched on first use only."""
    cache = cache_dir()
    source = cache / SDIST
    pinned = hashlib.sha256(repr(PLUGINS).encode()).hexdigest()[:12]
    plugins = cache / f"mastodon-py-plugins-{pinned}"
    with _locked(cache / ".mastodon-py.lock"):
        if not (source / "tests" / "conftest.py").exists():
            archive = cache / f"{SDIST}.tar.gz"
            if not archive.exists():
                _pip("download", "--no-deps", "--no-binary", ":all:", f"mastodon-py=={VERSION}",
                     "-d", str(cache))  # fmt: skip
            with tarfile.open(archive) as tar:
                tar.extractall(cache, filter="data")
        if not (plugins / ".complete").exists():
            _pip("install", "--no-deps", "--target", str(plugins), *PLUGINS)
            (plugins / ".complete").touch()
    return source, plugins


def _placeholder(person: Person) -> str:
    """The name signed up with: Mastodon's own names are reserved words for sign-ups here."""
    return f"mpy_{person.username.replace('mastodonpy_', '')}"


def _seed(server: RunningServer) -> None:
    url = server.database.url
    if url.startswith("sqlite"):  # tandem's SQLite driver is the synchronous sqlite3
        engine = create_engine(url, poolclass=NullPool)
        with engine.begin() as conn:

            async def run(statement: Any) -> Any:
                return conn.execute(statement)

            asyncio.run(_seed_with(run))
        engine.dispose()
        return

    async def seed() -> None:
        engine = create_async_engine(driver_url(url), poolclass=NullPool)
        async with engine.begin() as conn:
            await _seed_with(conn.execute)
        await engine.dispose()

    asyncio.run(seed())


async def _seed_with(execute: Callable[[Any], Awaitable[Any]]) -> None:
    now = datetime.now(UTC)
    ids: dict[str, int] = {}
    for person in PEOPLE:
        placeholder = _placeholder(person)
        account_id = (
            await execute(
                accounts.select().with_only_columns(accounts.c.id)
                .where(accounts.c.username == placeholder)
            )
        ).scalar_one()  # fmt: skip
        ids[person.username] = account_id
        await execute(
            update(accounts)
            .where(accounts.c.id == account_id)
            .values(
                username=person.username,
                username_key=person.username.lower(),
                locked=person.locked,
                discoverable=person.discoverable,
                indexable=person.indexable,
                role=person.role,
            )
        )
        # Account search matches on its own index of usernames: it follows the rename.
        await execute(
            delete(account_search_terms).where(
                account_search_terms.c.account_id == account_id,
                account_search_terms.c.kind == USERNAME_TERM,
            )
        )
        await execute(
            account_search_terms.insert().values(
                kind=USERNAME_TERM, term=search_text(person.username), account_id=account_id
            )
        )
        await execute(
            update(users)
            .where(users.c.account_id == account_id)
            .values(email=person.email, locale=person.locale, confirmed_at=now)
        )
    owner = ids["mastodonpy_test"]
    await execute(
        oauth_applications.insert().values(
            id=1234567890123456,
            name="Mastodon.py test suite",
            redirect_uris="urn:ietf:wg:oauth:2.0:oob",
            scopes=APP_SCOPES,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            owner_account_id=owner,
            created_at=now,
        )
    )
    token_id = 1234567890123456
    for person in PEOPLE:
        for token, scopes in person.tokens.items():
            token_id += 1
            await execute(
                oauth_access_tokens.insert().values(
                    id=token_id,
                    token_digest=hashlib.sha256(token.encode()).hexdigest(),
                    application_id=1234567890123456,
                    account_id=ids[person.username],
                    scopes=scopes,
                    kind="oauth",
                    created_at=now,
                )
            )


class _LinkedPages(BaseHTTPRequestHandler):
    """A forward proxy for plain-http URLs that answers LINKED_PAGES and 404 for the rest."""

    def do_GET(self) -> None:  # a proxy's request line holds the whole URL
        page = LINKED_PAGES.get(self.path)
        body = page.encode() if page is not None else b""
        self.send_response(200 if page is not None else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve_links() -> Iterator[None]:
    """The server (in this process) fetches the links of posted statuses through the outbound
    guard, which lets loopback through in tests (`allow_loopback_fetch`). The suite's links
    name public hosts on port 80, which a local server cannot take and which name resolution
    cannot redirect (httpx keeps the URL's port), so plain-http fetches go through a local
    forward proxy (HTTP_PROXY, honoured by httpx) that serves LINKED_PAGES; loopback stays
    direct, and the suite's own process gets none of it."""
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), _LinkedPages)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    saved = {name: os.environ.get(name) for name in _PROXY_VARIABLES}
    address = f"http://127.0.0.1:{proxy.server_address[1]}"
    os.environ.update(
        http_proxy=address,
        HTTP_PROXY=address,
        no_proxy="127.0.0.1,localhost,::1",
        NO_PROXY="127.0.0.1,localhost,::1",
    )
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        proxy.shutdown()
        proxy.server_close()


def start_server(backend: str) -> RunningServer:
    """tandem as the suite expects it: at localhost:3000 (by name), seeded, open sign-ups."""
    server = RunningServer(backend, domain="localhost:3000", registrations="open")
    server.start()  # migrates the new database
    for person in PEOPLE:
        register(server, _placeholder(person), confirmed=False)  # confirmed below
    # Seeded while stopped, so no cache of the running server holds the placeholders.
    server.stop()
    _seed(server)
    return server.start()


@dataclass
class ModuleResult:
    passed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def _results(junit: Path) -> dict[str, ModuleResult]:
    found: dict[str, ModuleResult] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        # "tests.test_x" (a test) or "" with the name "tests.test_x" (a module-level skip)
        dotted = (case.get("classname") or case.get("name") or "").split(".")
        module = next((part for part in dotted if part.startswith("test_")), "?") + ".py"
        result = found.setdefault(module, ModuleResult())
        name = case.get("name", "")
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            result.failed[name] = (problem.get("message") or "")[:300]
        elif case.find("skipped") is not None:
            result.skipped.append(name)
        else:
            result.passed.append(name)
    return found


def run_suite(
    backend: str = "sqlite", modules: list[str] | None = None, timeout: float = 1500
) -> dict[str, ModuleResult]:
    """Run the suite's modules (all by default) against a fresh tandem; results per module."""
    source, plugins = prepare()
    selected = modules or sorted(p.name for p in (source / "tests").glob("test_*.py"))
    deselected = [f"tests/{test}" for test in DESELECTED if test.split("::")[0] in selected]
    server = start_server(backend)
    try:
        with tempfile.TemporaryDirectory(prefix="mastodon-py-") as tmp:
            # A copy per run: its tests write files next to themselves, and runs on both
            # backends may go at once.
            suite = Path(tmp) / SDIST
            shutil.copytree(source, suite)
            # Clock readings recorded with the cassettes, which some tests reuse when present:
            # live, they must take the present time.
            for recorded in suite.glob("tests/cassettes*/*_datetimeobjects.pkl"):
                recorded.unlink()
            # Recorded websocket conversations would be replayed instead of talking to tandem.
            for recorded in suite.glob("tests/cassettes*/*.ws.yaml"):
                recorded.unlink()
            env = {
                **{k: v for k, v in os.environ.items() if k not in _PROXY_VARIABLES},
                "PYTHONPATH": os.pathsep.join([str(plugins), str(HERE)]),
                "TANDEM_REDIRECT": f"127.0.0.1:{server.port}",
            }
            # One pytest run per stretch of modules recorded alike, in the suite's order (its
            # modules leave state behind for the next: test_zzz_revoke.py must come last).
            runs: list[tuple[str, list[str]]] = []
            for module in selected:
                recording = (
                    "--record-mode=all" if module in RECORDED_LIVE else "--disable-recording"
                )
                if not runs or runs[-1][0] != recording:
                    runs.append((recording, []))
                runs[-1][1].append(module)
            found: dict[str, ModuleResult] = {}
            for number, (recording, modules) in enumerate(runs):
                junit = Path(tmp) / f"junit-{number}.xml"
                command = [
                    sys.executable, "-m", "pytest", "-p", "tandem_redirect", recording,
                    "-o", "addopts=", "-p", "no:cacheprovider", "-p", "no:xdist", "-q",
                    "--junitxml", str(junit), *(f"tests/{m}" for m in modules),
                    *(f"--deselect={test}" for test in deselected
                      if test.split("::")[0].removeprefix("tests/") in modules),
                ]  # fmt: skip
                with serve_links():
                    subprocess.run(
                        command,
                        cwd=suite,
                        env=env,
                        capture_output=True,
                        timeout=timeout,
                        check=False,
                    )
                if not junit.exists():
                    raise RuntimeError("Mastodon.py's suite did not run (no junit report)")
                found.update(_results(junit))
            return found
    finally:
        server.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="test modules (default: all)")
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("-v", "--verbose", action="store_true", help="list failing tests")
    parser.add_argument("--json", type=Path, help="write every test's outcome here")
    args = parser.parse_args()
    results = run_suite(args.backend, args.modules or None)
    total = [0, 0, 0]
    print(f"{'module':<32} {'passed':>6} {'failed':>6} {'skipped':>7}")
    for module, result in sorted(results.items()):
        counts = [len(result.passed), len(result.failed), len(result.skipped)]
        total = [t + c for t, c in zip(total, counts, strict=True)]
        print(f"{module:<32} {counts[0]:>6} {counts[1]:>6} {counts[2]:>7}")
        if args.verbose:
            for name, message in result.failed.items():
                print(f"    FAIL {name}: {message.splitlines()[0] if message else ''}")
    print(f"{'total':<32} {total[0]:>6} {total[1]:>6} {total[2]:>7}")
    for test, why in DESELECTED.items():
        if test.split("::")[0] in results:
            print(f"not run: {test} ({why})")
    if args.json:
        args.json.write_text(
            json.dumps({m: r.__dict__ for m, r in results.items()}, indent=1, default=list)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
