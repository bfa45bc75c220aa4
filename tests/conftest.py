"""Fixtures: one running tandem per database backend, and users on it."""

from __future__ import annotations

import functools
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx._transports.default
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from support.api import User, register
from support.databases import drop_pending, postgres_available
from support.server import RunningServer

# httpx makes a TLS context for every client, loading certifi's CA bundle (~80 ms of CPU), and
# the suite makes thousands of clients (each `httpx.get`, each `User.api`) to http:// servers:
# most of the suite's CPU time went there. One context per set of arguments serves them
# all, as tandem's own clients share one (tandem/tls.py).
httpx._transports.default.create_ssl_context = functools.lru_cache(maxsize=16)(  # type: ignore[assignment]
    httpx._transports.default.create_ssl_context
)


def _backends() -> list[str]:
    wanted = [
        b.strip() for b in os.environ.get("TANDEM_TEST_BACKENDS", "sqlite,postgresql").split(",")
    ]
    if "postgresql" in wanted and not postgres_available():
        if os.environ.get("TANDEM_REQUIRE_POSTGRES") == "1":
            raise RuntimeError("PostgreSQL is required (TANDEM_REQUIRE_POSTGRES=1) but unreachable")
        warnings.warn("PostgreSQL is unreachable: running the suite on SQLite only", stacklevel=1)
        wanted.remove("postgresql")
    return [b for b in wanted if b]


BACKENDS = _backends()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def server(backend: str) -> Iterator[RunningServer]:
    running = RunningServer(backend).start()
    yield running
    running.close()


@pytest.fixture
def make_server(backend: str) -> Iterator[Callable[..., RunningServer]]:
    """A server of its own with other settings (registration mode, real rate limits…)."""
    started: list[RunningServer] = []

    def factory(**overrides: Any) -> RunningServer:
        running = RunningServer(backend, **overrides).start()
        started.append(running)
        return running

    yield factory
    for running in started:
        running.close()


@pytest.fixture
def alice(server: RunningServer) -> User:
    return register(server, display_name="Alice")


@pytest.fixture
def bob(server: RunningServer) -> User:
    return register(server, display_name="Bob")


@pytest.fixture
def carol(server: RunningServer) -> User:
    return register(server, display_name="Carol")


# Figures a test records with `record_property("requests_sent", n)` (the fuzzers do), summed
# over every worker: xdist forwards user_properties in each report to the controller.
_FIGURES: dict[str, int] = {}


# Test modules with module-scoped fixtures (a module server, a whole client suite run).
SHARED_FIXTURES = {p.name for p in Path(__file__).parent.glob("test_*.py")
                   if 'scope="module"' in p.read_text()}  # fmt: skip


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Spread tests as `--dist load` does, except that a module with module-scoped fixtures
    runs on one worker per backend: spread over workers, each would build the fixture again.
    (xdist's own `loadgroup` cannot do it on pytest 9, whose node ids it fails to mark.)"""
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module, _, test = nodeid.partition("::")
            if Path(module).name not in SHARED_FIXTURES:
                return nodeid
            params = re.split(r"[\[\]-]", test)
            backend = next((p for p in params if p in ("sqlite", "postgresql")), "")
            return f"{module}[{backend}]"

    return SharedFixtureScheduling(config, log) if config.getvalue("dist") == "load" else None


# Modules whose subject no database can change (message catalogs, log redaction, decoding
# and serving uploaded files): their PostgreSQL runs would repeat the SQLite ones, and the
# SQL they reach is run on PostgreSQL by the other modules.
SQLITE_ONLY = {"test_localisation.py", "test_log_secrets.py", "test_media_av.py",
               "test_media_safety.py"}  # fmt: skip


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if len(BACKENDS) < 2:
        return
    kept, dropped = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        repeat = item.path.name in SQLITE_ONLY and params.get("backend") == "postgresql"
        (dropped if repeat else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_sessionfinish(session: pytest.Session) -> None:
    drop_pending()  # the test databases still being dropped in the background


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call":
        return
    for name, value in report.user_properties:
        if name == "requests_sent" and isinstance(value, int):
            module = report.nodeid.split("::")[0]
            _FIGURES[module] = _FIGURES.get(module, 0) + value


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _FIGURES:
        terminalreporter.section("requests sent by the fuzzers")
        for module, count in sorted(_FIGURES.items()):
            terminalreporter.write_line(f"{module}: {count}")
        terminalreporter.write_line(f"total: {sum(_FIGURES.values())}")
