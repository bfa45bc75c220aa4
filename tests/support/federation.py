"""Two tandem servers that federate on loopback (each its own domain: host and port), and
polling for what background deliveries bring."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from support.server import RunningServer

T = TypeVar("T")


@contextmanager
def server_pair(backend: str) -> Iterator[tuple[RunningServer, RunningServer]]:
    a = RunningServer(backend).start()
    b = RunningServer(backend).start()
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def wait_for(check: Callable[[], T | None], what: str, timeout: float = 30) -> T:
    """Poll until `check` answers something truthy (deliveries are background jobs)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)
