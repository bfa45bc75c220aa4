"""The in-process worker: claims due jobs from the database queue and runs their handlers.

Jobs survive restarts: a job is a row, claimed with a lease. A worker that dies mid-job leaves
its lease to run out, and the job is claimed again; handlers checkpoint with `ctx.save()`
so the next run resumes instead of starting over.

With `--workers N` every process runs a worker on the same table: a claim goes to one of them
(store.jobs.claim), and a worker only checkpoints or settles a job that is still its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tandem.core import clock
from tandem.services import Services
from tandem.store import jobs as store

log = logging.getLogger("tandem.jobs")


class Retry(Exception):
    """Raise from a handler to try again later without counting as a crash: at `at`, or
    after the usual backoff."""

    def __init__(self, reason: str = "", *, at: datetime | None = None) -> None:
        super().__init__(reason)
        self.at = at


class LeaseLost(Exception):
    """The job stopped being this worker's (its lease ran out and another worker claimed it,
    or it was queued again): the handler must stop, the other run owns the job now."""


@dataclass
class JobContext:
    services: Services
    job_id: int
    kind: str
    payload: dict[str, Any]
    progress: dict[str, Any] = field(default_factory=dict)
    attempt: int = 1
    owner: str = ""  # the worker that claimed the job

    async def save(self, **progress: Any) -> None:
        """Checkpoint: record progress and keep the lease alive (LeaseLost when it is gone)."""
        self.progress.update(progress)
        async with self.services.db.write() as conn:
            kept = await store.save_progress(
                conn, self.job_id, self.owner, self.progress, clock.now() + lease(self.services)
            )
        if not kept:
            raise LeaseLost(f"job {self.job_id} is no longer held by {self.owner}")


def lease(services: Services) -> timedelta:
    return timedelta(seconds=services.settings.job_lease_seconds)


Handler = Callable[[JobContext], Awaitable[None]]
PARALLEL_KINDS = ("ap_deliver",)  # jobs that mostly wait on the network


def backoff(attempt: int, base: float = 10.0) -> timedelta:
    return timedelta(seconds=min(base * 2 ** (attempt - 1), 3600))


class Worker:
    """`lanes`: runs the parallel kinds (deliveries); `serial`: runs the rest of the queue.
    A server whose deliveries run in a process of their own (`delivery_process`) has one
    worker of each."""

    def __init__(
        self,
        services: Services,
        handlers: dict[str, Handler],
        *,
        lanes: bool = True,
        serial: bool = True,
    ) -> None:
        self.services = services
        self.handlers = handlers
        self.lanes = lanes
        self.serial = serial
        self.name = f"{os.getpid()}-{secrets.token_hex(3)}"
        self._task: asyncio.Task[None] | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._ended: list[int] = []  # parallel jobs that ended well, not yet marked done
        # (time.monotonic) Until when a claim that found nothing due is not tried again.
        self._serial_idle_until = 0.0
        self._lanes_idle_until = 0.0
        self._wake = asyncio.Event()
        self._stopping = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="tandem-jobs")

    @property
    def state(self) -> str:
        """running, stopped (it ended or crashed), or disabled (never started in this process)."""
        if self._task is None:
            return "disabled"
        return "stopped" if self._task.done() else "running"

    def wake(self) -> None:
        self._serial_idle_until = self._lanes_idle_until = 0.0
        self._wake.set()

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        for task in [t for t in (self._task, *self._in_flight) if t is not None]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(Exception):  # (else their leases run out: they run again)
            await self._settle_and_claim(0)

    async def _loop(self) -> None:
        interval = self.services.settings.job_poll_interval
        parallel = max(self.services.settings.delivery_concurrency, 1)
        refill = max(1, parallel // 2)
        now = time.monotonic
        while not self._stopping:
            try:
                await self.services.requests.quiet()  # requests first (jobs/request_gauge.py)
                # Deliveries wait on other servers, not on this one: up to `parallel` run at
                # once beside the rest of the queue, which runs one job at a time. Free lanes
                # are filled when half are free (one claim for several jobs), and the claim
                # marks the deliveries that ended since done in the same transaction.
                free = parallel - len(self._in_flight)
                due = self.lanes and now() >= self._lanes_idle_until
                wanted = free if free >= refill and due else 0
                lanes = await self._settle_and_claim(wanted, flush=free == parallel)
                if wanted:
                    self._lanes_idle_until = now() + interval if not lanes else 0.0
                for row in lanes:
                    task = asyncio.create_task(self._run_claimed(row, settle_later=True))
                    self._in_flight.add(task)
                    task.add_done_callback(self._in_flight.discard)
                    task.add_done_callback(lambda _done: self._wake.set())  # a lane is free
                row = None
                # A lane that ended wakes the loop too: the rest of the queue is asked again
                # only when something was queued (`wake`) or after the poll interval.
                if self.serial and now() >= self._serial_idle_until:
                    row = await self._claim(exclude=PARALLEL_KINDS)
                    self._serial_idle_until = 0.0 if row else now() + interval
                if row is not None:
                    await self._run_claimed(row)
                    self._lanes_idle_until = 0.0  # (it may have queued deliveries)
                ran = row is not None or bool(lanes)
            except asyncio.CancelledError:
                raise
            except Exception:  # a broken queue must not kill the server; try again soon
                log.exception("job queue error")
                ran = False
            if ran:
                # Let requests in between jobs: on SQLite a job's queries never yield the loop.
                await asyncio.sleep(0)
            else:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=interval)

    async def _claim(self, exclude: tuple[str, ...] = ()) -> Any:
        db = self.services.db
        async with db.write() as conn:
            return await store.claim(
                conn, self.name, lease(self.services), db.dialect == "postgresql", exclude
            )

    async def _settle_and_claim(self, lanes: int, flush: bool = True) -> list[Any]:
        """Claim up to `lanes` parallel jobs, marking those that ended well as done in the
        same transaction (or alone, with `flush`: no other write is coming soon)."""
        if not lanes and not (flush and self._ended):
            return []
        ended, self._ended = self._ended, []
        db = self.services.db
        try:
            async with db.write() as conn:
                if ended:
                    await store.finish_many(conn, ended, self.name)
                if not lanes:
                    return []
                return await store.claim_many(
                    conn,
                    self.name,
                    lease(self.services),
                    db.dialect == "postgresql",
                    lanes,
                    only=PARALLEL_KINDS,
                )
        except BaseException:
            self._ended = ended + self._ended  # not written: settled with the next claim
            raise

    async def run_one(self) -> bool:
        """Claim and run one due job; False when nothing is due."""
        row = await self._claim()
        if row is None:
            return False
        await self._run_claimed(row)
        return True

    async def _run_claimed(self, row: Any, settle_later: bool = False) -> None:
        """Run a claimed job and settle it: done, or failed (retried later or not). A job
        that ends well with `settle_later` is marked done by the next claim."""
        db = self.services.db
        ctx = JobContext(
            services=self.services,
            job_id=row.id,
            kind=row.kind,
            payload=row.payload,
            progress=dict(row.progress),
            attempt=row.attempts + 1,
            owner=self.name,
        )
        handler = self.handlers.get(row.kind)
        try:
            if handler is None:
                raise RuntimeError(f"no handler for job kind {row.kind!r}")
            await handler(ctx)
        except asyncio.CancelledError:
            raise  # shutting down: the lease runs out and the job is picked up again
        except LeaseLost as lost:
            log.warning("job %s (%s) stopped: %s", row.id, row.kind, lost)
            return
        except Exception as exc:
            final = ctx.attempt >= row.max_attempts and not isinstance(exc, Retry)
            log.warning("job %s (%s) failed on attempt %s: %s", row.id, row.kind, ctx.attempt, exc)
            async with db.write() as conn:
                await store.fail(
                    conn,
                    row.id,
                    self.name,
                    f"{type(exc).__name__}: {exc}",
                    None
                    if final
                    else exc.at
                    if isinstance(exc, Retry) and exc.at is not None
                    else clock.now()
                    + backoff(ctx.attempt, self.services.settings.job_retry_base_seconds),
                )
            return
        if settle_later:
            self._ended.append(row.id)
            return
        async with db.write() as conn:
            finished = await store.finish(conn, row.id, self.name)
        if not finished:  # queued again meanwhile (runs again), or taken over after the lease
            log.info("job %s (%s) ran, but was no longer this worker's", row.id, row.kind)

    async def drain(self, limit: int = 1000) -> int:
        """Run every job that is due now (tests and the CLI use this)."""
        done = 0
        while done < limit and await self.run_one():
            done += 1
        return done
