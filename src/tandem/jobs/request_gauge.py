"""Requests first: the API's requests being answered in this process, which background work
waits for.

Jobs run in the server's own event loop (one process, nothing to set up), so a request that
arrives while deliveries are being signed and sent waits behind their steps. The worker
therefore waits, before it claims a job and before each costly step of one, until no request
is being answered, for at most a bound: a steady stream of requests slows the jobs down
without stopping them. A request counts from its arrival to the start of its response (a
streaming response's long life is not work)."""

from __future__ import annotations

import asyncio
import contextlib

# The longest background work waits for requests, per step. Several lanes of deliveries
# each wait, so even under constant load they go on at a few dozen steps per second.
MOST_WAIT_SECONDS = 0.05


class RequestGauge:
    def __init__(self) -> None:
        self._busy = 0
        self._quiet: asyncio.Event | None = None

    @property
    def busy(self) -> int:
        return self._busy

    def started(self) -> None:
        self._busy += 1
        if self._quiet is not None:
            self._quiet.clear()

    def answered(self) -> None:
        self._busy = max(self._busy - 1, 0)
        if self._busy == 0 and self._quiet is not None:
            self._quiet.set()

    async def quiet(self, most: float = MOST_WAIT_SECONDS) -> None:
        """Return once no request is being answered, or after `most` seconds."""
        if self._busy == 0:
            return
        if self._quiet is None:
            self._quiet = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._quiet.wait(), most)
