"""The job queue table: enqueue inside a domain transaction, claim and finish from workers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update

from tandem.core import clock
from tandem.core.ids import new_id
from tandem.store.db import AnyRow, Conn
from tandem.store.generations import only_the_queue
from tandem.store.schema import jobs
from tandem.store.writes import insert_ignoring


async def enqueue(
    conn: Conn,
    kind: str,
    payload: dict[str, Any],
    *,
    run_at: datetime | None = None,
    dedupe_key: str | None = None,
    max_attempts: int = 5,
) -> int:
    """Queue a job in the caller's transaction: it exists only if the change it follows commits."""
    now = clock.now()
    if dedupe_key is not None:
        existing = await conn.scalar(select(jobs.c.id).where(jobs.c.dedupe_key == dedupe_key))
        if existing is not None:
            await conn.execute(
                update(jobs)
                .where(jobs.c.id == existing)
                .values(payload=payload, run_at=run_at or now, state="queued", attempts=0)
            )
            return int(existing)
    job_id = new_id()
    await conn.execute(
        jobs.insert().values(
            id=job_id,
            kind=kind,
            payload=payload,
            run_at=run_at or now,
            dedupe_key=dedupe_key,
            max_attempts=max_attempts,
            created_at=now,
        )
    )
    return job_id


async def enqueue_many(
    conn: Conn, kind: str, payloads: list[dict[str, Any]], *, max_attempts: int = 5
) -> None:
    """Queue many jobs of one kind in one statement (a fan-out's deliveries)."""
    now = clock.now()
    rows = [
        {
            "id": new_id(),
            "kind": kind,
            "payload": payload,
            "run_at": now,
            "dedupe_key": None,
            "max_attempts": max_attempts,
            "created_at": now,
        }
        for payload in payloads
    ]
    if rows:
        await conn.execute(jobs.insert(), rows)


async def queue_once(conn: Conn, kind: str, run_at: datetime, now: datetime) -> None:
    """Queue a job of this kind (no payload) unless one is queued already: its kind is its
    dedupe key, which frees when the job ends."""
    row = {
        "id": new_id(),
        "kind": kind,
        "payload": {},
        "state": "queued",
        "run_at": run_at,
        "dedupe_key": kind,
        "max_attempts": 5,
        "attempts": 0,
        "created_at": now,
    }
    await conn.execute(insert_ignoring(conn, jobs, [row], ["dedupe_key"]))


def _due(now: datetime) -> ColumnElement[bool]:
    """Queued and due, or running with its lease run out (its worker died)."""
    return or_(
        (jobs.c.state == "queued") & (jobs.c.run_at <= now),
        (jobs.c.state == "running") & (jobs.c.locked_until < now),
    )


async def claim(
    conn: Conn,
    worker: str,
    lease: timedelta,
    postgres: bool,
    exclude: tuple[str, ...] = (),
) -> AnyRow | None:
    """Take the next due job of any kind but these."""
    found = await claim_many(conn, worker, lease, postgres, 1, exclude=exclude)
    return found[0] if found else None


async def claim_many(
    conn: Conn,
    worker: str,
    lease: timedelta,
    postgres: bool,
    limit: int,
    *,
    exclude: tuple[str, ...] = (),
    only: tuple[str, ...] = (),
) -> list[AnyRow]:
    """Take up to `limit` due jobs, the longest due first (of these kinds only, or of any
    kind but those excluded), in one statement each to find and to mark them.

    One process wins each job: on PostgreSQL the rows are locked (`SKIP LOCKED`: other workers
    pass over them), on SQLite the caller's write transaction (`BEGIN IMMEDIATE`) keeps every
    other process out. The update re-checks the rows are still due all the same.
    """
    only_the_queue()
    now = clock.now()
    stmt = select(jobs).where(_due(now)).order_by(jobs.c.run_at, jobs.c.id).limit(limit)
    if exclude:  # (the worker has as many of these running as it allows)
        stmt = stmt.where(jobs.c.kind.not_in(exclude))
    if only:
        stmt = stmt.where(jobs.c.kind.in_(only))
    if postgres:
        stmt = stmt.with_for_update(skip_locked=True)
    rows = (await conn.execute(stmt)).all()
    if not rows:
        return []
    taken = await conn.execute(
        update(jobs)
        .where(jobs.c.id.in_([r.id for r in rows]), _due(now))
        .values(
            state="running",
            locked_by=worker,
            locked_until=now + lease,
            attempts=jobs.c.attempts + 1,
        )
        .returning(jobs.c.id)
    )
    won = set(taken.scalars())
    return [r for r in rows if r.id in won]


def _held_by(worker: str) -> ColumnElement[bool]:
    """Still this worker's: not re-queued by `enqueue`, nor claimed by another worker after
    this one's lease ran out."""
    return and_(jobs.c.state == "running", jobs.c.locked_by == worker)


def _owned(job_id: int, worker: str) -> ColumnElement[bool]:
    return and_(jobs.c.id == job_id, _held_by(worker))


async def save_progress(
    conn: Conn, job_id: int, worker: str, progress: dict[str, Any], until: datetime
) -> bool:
    """Checkpoint and extend the lease; False when the job is no longer this worker's."""
    only_the_queue()
    done = await conn.execute(
        update(jobs).where(_owned(job_id, worker)).values(progress=progress, locked_until=until)
    )
    return bool(done.rowcount == 1)


async def finish(conn: Conn, job_id: int, worker: str) -> bool:
    return await finish_many(conn, [job_id], worker) == 1


async def finish_many(conn: Conn, job_ids: list[int], worker: str) -> int:
    """Mark the jobs done that are still this worker's; how many were."""
    only_the_queue()
    done = await conn.execute(
        update(jobs)
        .where(jobs.c.id.in_(job_ids), _held_by(worker))
        .values(state="done", finished_at=clock.now(), locked_until=None, dedupe_key=None)
    )
    return int(done.rowcount)


async def fail(conn: Conn, job_id: int, worker: str, error: str, retry_at: datetime | None) -> bool:
    only_the_queue()
    values: dict[str, Any] = {"last_error": error[:4000], "locked_until": None}
    if retry_at is None:
        values.update(state="failed", finished_at=clock.now(), dedupe_key=None)
    else:
        values.update(state="queued", run_at=retry_at)
    done = await conn.execute(update(jobs).where(_owned(job_id, worker)).values(**values))
    return bool(done.rowcount == 1)


async def get(conn: Conn, job_id: int) -> AnyRow | None:
    return (await conn.execute(select(jobs).where(jobs.c.id == job_id))).first()


async def cancel(conn: Conn, dedupe_key: str) -> None:
    await conn.execute(
        update(jobs)
        .where(jobs.c.dedupe_key == dedupe_key, jobs.c.state == "queued")
        .values(state="cancelled", dedupe_key=None, finished_at=clock.now())
    )


async def next_run_at(conn: Conn) -> datetime | None:
    return await conn.scalar(
        select(jobs.c.run_at).where(jobs.c.state == "queued").order_by(jobs.c.run_at).limit(1)
    )
