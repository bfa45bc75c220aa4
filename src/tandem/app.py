"""The ASGI application: every route, the middleware, and start-up (migrations, job worker)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tandem import logsafety
from tandem.api import health, media_files, wellknown
from tandem.api.guard import RefuseNul, bad_request
from tandem.api.http import JSON, BadRequest
from tandem.api.mastodon.routes import all_routes as mastodon_routes
from tandem.api.misskey import routes as misskey
from tandem.config import Settings, ensure_secret_key
from tandem.jobs.registry import HANDLERS
from tandem.jobs.worker import Worker
from tandem.services import Services
from tandem.store.db import statements_run
from tandem.web import app_consent, pages

log = logging.getLogger("tandem")
EXPOSED_HEADERS = [
    "Link",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Deprecation",
]


class StripTrailingSlash:
    """`/api/v1/instance/` is the same resource as `/api/v1/instance` (clients send both)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                scope = {**scope, "path": path.rstrip("/") or "/"}
        await self.app(scope, receive, send)


class StatementCountHeader:
    """`X-Statement-Count` on every response: the SQL statements run before it started (tests
    assert the hot endpoints stay a small constant; only with `report_statement_count`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        counter = [0]
        token = statements_run.set(counter)

        async def send_counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), (b"x-statement-count", b"%d" % counter[0])]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_counted)
        finally:
            statements_run.reset(token)


def all_routes(settings: Settings) -> list[BaseRoute]:
    routes: list[BaseRoute] = list(health.routes)  # probes: no auth, no rate limit
    routes.extend(mastodon_routes)
    routes.extend(wellknown.routes)
    routes.extend(pages.routes)
    routes.extend(app_consent.routes)  # after pages: /auth/{token} must not shadow /auth/sign_in
    routes.extend(misskey.routes)  # last of the APIs: its dispatcher takes any other /api/ path
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    routes.extend(media_files.routes)  # user files: nosniff, sandboxed, downloads unless media
    return routes


async def not_found(request: Request, exc: Exception) -> Response:
    return JSON({"error": "Record not found"}, status_code=404)


async def method_not_allowed(request: Request, exc: Exception) -> Response:
    return JSON({"error": f"{request.method} is not allowed here"}, status_code=405)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSON(
        {"error": "There was a temporary problem serving your request, please try again"},
        status_code=500,
    )


def create_app(settings: Settings, *, run_worker: bool = True) -> Starlette:
    logsafety.install()  # no token, password or statement parameter in any log line
    settings = ensure_secret_key(settings)
    health.quiet_probe_logs()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        services: Services = app.state.services
        await services.db.migrate()
        worker = Worker(services, HANDLERS)
        app.state.worker = worker
        if run_worker:
            worker.start()
        try:
            yield
        finally:
            await worker.stop()
            await services.close()

    app = Starlette(
        routes=all_routes(settings),
        middleware=[
            Middleware(StripTrailingSlash),
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                allow_headers=["*"],
                expose_headers=EXPOSED_HEADERS,
                max_age=3600,
            ),
            Middleware(RefuseNul),  # no NUL character in any path or query string
            *([Middleware(StatementCountHeader)] if settings.report_statement_count else []),
        ],
        exception_handlers={
            404: not_found,
            405: method_not_allowed,
            500: server_error,
            BadRequest: bad_request,  # unreadable HTML forms (API routes answer their own)
        },
        lifespan=lifespan,
    )
    app.state.services = Services.build(settings)
    return app
