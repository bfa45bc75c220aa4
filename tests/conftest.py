"""Fixtures: one running tandem per database backend, and users on it."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from support.api import User, register
from support.databases import postgres_available
from support.server import RunningServer


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
