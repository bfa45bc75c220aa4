"""Health probes: `/health` (the process answers) and `/health/ready` (it can do its work).

Neither is rate-limited, and a successful probe is left out of the access log so a load
balancer polling every second does not drown the log.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from tandem.api.http import JSON
from tandem.core import handles
from tandem.jobs.worker import Worker
from tandem.services import Services

PROBES = ("/health", "/health/ready")
DATABASE_TIMEOUT = 5.0  # seconds: a database that takes longer is not ready


async def live(_request: Request) -> Response:
    """Liveness: the process is up and its event loop answers. No database access.

    Plain `OK`, as Mastodon's `/health` answers (Mastodon.py's `instance_health` reads it)."""
    return PlainTextResponse("OK")


async def _database(services: Services) -> dict[str, Any]:
    db = services.db
    try:
        await asyncio.wait_for(db.ping(), DATABASE_TIMEOUT)
    except Exception as exc:  # any failure to reach the database means "not ready"
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": True, "dialect": db.dialect}


async def _migrations(services: Services) -> dict[str, Any]:
    code = handles.expected_revisions()
    try:
        found = await asyncio.wait_for(handles.applied_revisions(services.db), DATABASE_TIMEOUT)
    except Exception as exc:
        return {"ok": False, "code": code, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": found == code, "database": found, "code": code}


def _worker(worker: Worker | None) -> dict[str, Any]:
    state = worker.state if worker is not None else "disabled"
    # A worker turned off by configuration is a choice (another process runs the jobs).
    return {"ok": state in ("running", "disabled"), "state": state}


async def ready(request: Request) -> Response:
    """Readiness: the database answers, its schema is current, and the job worker runs."""
    services: Services = request.app.state.services
    checks = {
        "database": await _database(services),
        "migrations": await _migrations(services),
        "worker": _worker(getattr(request.app.state, "worker", None)),
    }
    failed = [name for name, check in checks.items() if not check["ok"]]
    body: dict[str, Any] = {"status": "unavailable" if failed else "ok", **checks}
    if failed:
        body["failed"] = failed
    return JSON(body, status_code=503 if failed else 200, headers={"Cache-Control": "no-store"})


class _QuietProbes(logging.Filter):
    """Drop uvicorn's access-log line for a successful probe; failures are still logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 5:
            path, status = str(args[2]).split("?")[0].rstrip("/"), args[4]
            return not (path in PROBES and status == 200)
        return True


def quiet_probe_logs() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, _QuietProbes) for f in access.filters):
        access.addFilter(_QuietProbes())


routes: list[BaseRoute] = [
    Route("/health", live, methods=["GET"]),
    Route("/health/ready", ready, methods=["GET"]),
]
