"""How `tandem serve` runs the app: granian, one supervisor and N worker processes.

The supervisor does once what must happen once (migrations, key files) before any worker
exists, so workers never race for it. Each worker builds the app from its environment: the
supervisor copies its command-line flags there as `TANDEM_*` variables, so a worker started by
`fork` or `spawn` reads the same settings (TOML file, environment, flags) as its parent.

granian was chosen over uvicorn on measured throughput, on the bare route and on tandem's
endpoints alike: `bench/http_bench.py --both --servers granian,uvicorn` prints both.
"""

from __future__ import annotations

import asyncio
import ctypes
import fcntl
import importlib
import logging
import logging.config
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tandem.api.health import PROBES
from tandem.config import ConfigError, Settings, ensure_secret_key, load_settings
from tandem.core import ids

TARGET = "tandem.asgi:app"
SUPERVISOR_ENV = "TANDEM_SUPERVISOR_PID"  # set by `run`: workers stop when it is gone
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
STOP_TIMEOUT = 15  # seconds a worker has to finish its requests once asked to stop
access_log = logging.getLogger("tandem.access")

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    # The process id tells the workers' lines apart.
    "formatters": {
        "plain": {"format": "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"}
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"handlers": ["stderr"], "level": "INFO"},
    # granian's own loggers propagate to the root handler (it sets their level).
    "loggers": {"_granian": {"level": "INFO"}, "granian.access": {"level": "INFO"}},
}


def app() -> ASGIApp:
    """The factory each worker process calls: settings from the environment."""
    stop_with_supervisor()
    settings = load_settings()
    claim_id_slot(settings.data_dir)
    return build(settings)


_held_slot: IO[bytes] | None = None  # the locked file, open for the process's lifetime


def claim_id_slot(data_dir: Path) -> None:
    """Lock one of the 16 slot files so no two workers on this machine make the same id (the
    lock goes with the process, so a respawned worker finds its predecessor's slot free)."""
    global _held_slot
    folder = data_dir / "id-slots"
    folder.mkdir(parents=True, exist_ok=True)
    for slot in range(ids.SLOTS):
        handle = (folder / f"{slot}.lock").open("wb")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        ids.use_slot(slot)
        _held_slot = handle
        return
    raise ConfigError(f"at most {ids.SLOTS} tandem processes can share one data folder")


def build(settings: Settings, *, first_routes: Sequence[BaseRoute] = ()) -> ASGIApp:
    """tandem's app as `tandem serve` runs it; `first_routes` go before every other route
    (the benchmark's bare endpoint, which must share the server, process and middleware)."""
    from tandem.app import create_app

    starlette = create_app(settings)
    starlette.router.routes[0:0] = list(first_routes)
    return AccessLog(starlette) if settings.access_log else starlette


def prepare(settings: Settings) -> Settings:
    """What happens once per start, in the supervisor before any worker: the secret and VAPID
    key files, the schema migration, and the shared rate-limit file when workers need it."""
    from tandem.store import sqlite_counter
    from tandem.store.db import Database
    from tandem.store.keys import vapid_public_key

    if settings.workers < 1:
        raise ConfigError(f"workers must be at least 1, got {settings.workers}")
    settings = ensure_secret_key(settings)
    vapid_public_key(settings.data_dir)

    async def migrate() -> None:
        db = Database(settings.resolved_database_url)
        try:
            await db.migrate()
        finally:
            await db.dispose()

    asyncio.run(migrate())
    if settings.workers > 1 and not settings.redis_url:
        sqlite_counter.create(sqlite_counter.counter_path(settings.data_dir))
        logging.getLogger("tandem").warning(
            "%d workers without redis_url: each worker's realtime streams hear only the "
            "changes made through that worker (set redis_url to share them)",
            settings.workers,
        )
    return settings


def pass_on(overrides: dict[str, Any]) -> None:
    """Put settings given as flags into the environment the workers inherit (flags outrank the
    environment anyway, so this changes nothing for this process)."""
    for name, value in overrides.items():
        os.environ[f"TANDEM_{name.upper()}"] = str(value)


def configure_logging() -> None:
    logging.config.dictConfig(LOGGING)


def run(settings: Settings, target: str = TARGET) -> None:
    """Serve `target` (a `module:factory` returning the ASGI app) until SIGINT/SIGTERM."""
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    from tandem import delivery_process

    os.environ[SUPERVISOR_ENV] = str(os.getpid())
    server = Granian(
        target,
        address=settings.host,
        port=settings.port,
        interface=Interfaces.ASGI,
        workers=settings.workers,
        factory=True,
        log_level=LogLevels.info,
        log_dictconfig=LOGGING,
        log_access=False,  # AccessLog writes it: query strings included, secrets redacted
        respawn_failed_workers=True,  # one worker's crash (OOM) leaves the others serving
        workers_kill_timeout=STOP_TIMEOUT,  # a worker that will not stop is killed
    )
    deliveries = delivery_process.start() if settings.delivery_process else None
    try:
        server.serve(target_loader=_load_target)
    finally:
        if deliveries is not None:
            delivery_process.stop(deliveries, STOP_TIMEOUT)


def _load_target(target: str) -> Callable[..., Any]:
    """Import `module:factory` and call the factory (in the worker process)."""
    module, _, name = target.partition(":")
    factory: Callable[[], Callable[..., Any]] = getattr(importlib.import_module(module), name)
    return factory()


def stop_with_supervisor() -> None:
    """A worker stops when its supervisor asks, or dies.

    A forked worker inherits the supervisor's signal handlers, which would swallow a SIGTERM
    that arrives while the app is still being built (granian installs the worker's own
    handlers after): the defaults end a worker that has nothing to clean up yet. And a
    supervisor killed outright cannot stop its workers, which would go on holding the port:
    on Linux the kernel sends them SIGTERM when it dies.
    """
    supervisor = os.environ.get(SUPERVISOR_ENV)
    if supervisor is None:
        return
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != int(supervisor):  # it died before the line above took effect
        raise SystemExit("tandem: the supervisor process is gone")


class AccessLog:
    """One line per request, after its response: client, request line (query string included,
    secrets redacted by logsafety), status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = [500]  # what the client sees if the app fails before answering

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            path: str = scope["path"]
            # A load balancer's successful probes every second would drown the log.
            if not (status[0] == 200 and path.rstrip("/") in PROBES):
                query = scope.get("query_string", b"").decode("latin-1")
                client = scope.get("client")
                access_log.info(
                    '%s - "%s %s HTTP/%s" %d',
                    f"{client[0]}:{client[1]}" if client else "-",
                    scope["method"],
                    f"{path}?{query}" if query else path,
                    scope.get("http_version", "1.1"),
                    status[0],
                )
