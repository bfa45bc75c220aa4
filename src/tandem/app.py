"""The ASGI application: every route, the middleware, and start-up (migrations, job worker)."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tandem import logsafety
from tandem.api import health, media_files, stream_listener, wellknown
from tandem.api.guard import bad_request, refuse_nul
from tandem.api.http import JSON, BadRequest
from tandem.api.mastodon.routes import all_routes as mastodon_routes
from tandem.api.mastodon.streaming import routes as mastodon_streaming
from tandem.api.misskey import routes as misskey
from tandem.api.misskey import streaming as misskey_streaming
from tandem.config import Settings, ensure_secret_key
from tandem.core import i18n, passwords
from tandem.federation import documents as federation_documents
from tandem.federation import fetch as federation_fetch
from tandem.federation import inbox as federation_inbox
from tandem.jobs.registry import HANDLERS
from tandem.jobs.request_gauge import RequestGauge
from tandem.jobs.worker import Worker
from tandem.services import Services
from tandem.store.query import statements_run
from tandem.web import app_consent, pages
from tandem.web import invites as invite_pages

log = logging.getLogger("tandem")
EXPOSED_HEADERS = [
    "Link",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Deprecation",
]


class Front:
    """The request's first stop, in one ASGI layer: a trailing slash stripped
    (`/api/v1/instance/` is `/api/v1/instance`, clients send both), a NUL character in the
    path or query refused, CORS, and `X-Statement-Count` when tests ask for it.

    A request without an `Origin` header (every non-browser client) skips Starlette's CORS
    middleware and only gets what that middleware would add to it: `Vary: Origin`.
    """

    def __init__(
        self, app: ASGIApp, *, count_statements: bool = False, requests: RequestGauge | None = None
    ) -> None:
        self.app = app
        self.count_statements = count_statements
        self.requests = requests or RequestGauge()
        self.cors = CORSMiddleware(
            self.checked,
            allow_origins=["*"],
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["*"],
            expose_headers=EXPOSED_HEADERS,
            max_age=3600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if len(path) > 1 and path[-1] == "/":
            scope["path"] = path.rstrip("/") or "/"
        gauge = self.requests
        gauge.started()
        counted = [True]

        async def send_answered(message: Message) -> None:
            if counted[0] and message["type"] == "http.response.start":
                counted[0] = False
                gauge.answered()
            await send(message)

        try:
            for name, _ in scope["headers"]:
                if name == b"origin":
                    await self.cors(scope, receive, send_answered)
                    return
            await self.checked(scope, receive, _vary_origin(send_answered))
        finally:
            if counted[0]:
                gauge.answered()

    async def checked(self, scope: Scope, receive: Receive, send: Send) -> None:
        if await refuse_nul(scope, receive, send):
            return
        if not self.count_statements:
            await self.app(scope, receive, send)
            return
        counter = [0]
        token = statements_run.set(counter)
        try:
            await self.app(scope, receive, _counted(send, counter))
        finally:
            statements_run.reset(token)


def _counted(send: Send, counter: list[int]) -> Send:
    async def send_counted(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [*message.get("headers", ()), (b"x-statement-count", b"%d" % counter[0])]
            message = {**message, "headers": headers}
        await send(message)

    return send_counted


def _vary_origin(send: Send) -> Send:
    """What Starlette's CORS middleware does to a response to a request without `Origin`:
    its `Vary` headers folded into one that ends with `Origin`."""

    async def send_vary(message: Message) -> None:
        if message["type"] == "http.response.start":
            varies: list[bytes] = []
            headers: list[tuple[bytes, bytes]] = []
            for name, value in message.get("headers", ()):
                if name.lower() == b"vary":
                    varies.append(value)
                else:
                    headers.append((name, value))
            varies.append(b"Origin")
            headers.append((b"vary", b", ".join(varies)))
            message = {**message, "headers": headers}
        await send(message)

    return send_vary


class IndexedRouter(Router):
    """Starlette's router, without walking every route for every request.

    A route can only match a path equal to its own (no parameters), or one that starts with
    the text before its first parameter and, when no parameter can hold a `/`, has as many
    `/` as it has. So routes are indexed by exact path, and by that prefix (cut back to its
    last `/`) and `/` count; a request tries, in their original order, only the routes
    under its exact path and under each of its `/`-prefixes: a handful instead of a
    hundred. When none of them matches, Starlette's own walk answers (405, trailing-slash
    redirect, 404), so the outcome is always the full walk's. Routes added or removed
    later (the benchmark's bare route) are indexed on the next request.
    """

    def __init__(self, routes: list[BaseRoute], lifespan: Any) -> None:
        super().__init__(routes, lifespan=lifespan)
        self._indexed_count = -1
        self._exact: dict[str, list[tuple[int, BaseRoute]]] = {}
        self._prefixed: dict[tuple[str, int], list[tuple[int, BaseRoute]]] = {}
        self._anywhere: list[tuple[int, BaseRoute]] = []

    def _index(self) -> None:
        exact: dict[str, list[tuple[int, BaseRoute]]] = {}
        prefixed: dict[tuple[str, int], list[tuple[int, BaseRoute]]] = {}
        anywhere: list[tuple[int, BaseRoute]] = []
        for position, route in enumerate(self.routes):
            if type(route) is not Route:  # mounts, hosts, websockets: tried for every path
                anywhere.append((position, route))
            elif "{" not in route.path:
                exact.setdefault(route.path, []).append((position, route))
            else:
                head = route.path[: route.path.index("{")]
                spans = any(_may_hold_slash(c.regex) for c in route.param_convertors.values())
                key = (head[: head.rindex("/") + 1], -1 if spans else route.path.count("/"))
                prefixed.setdefault(key, []).append((position, route))
        self._exact, self._prefixed, self._anywhere = exact, prefixed, anywhere
        self._indexed_count = len(self.routes)

    def candidates(self, path: str) -> list[tuple[int, BaseRoute]]:
        """The routes that can match `path`, in the order the full walk would try them."""
        if self._indexed_count != len(self.routes):
            self._index()
        found = [*self._anywhere, *self._exact.get(path, ())]
        prefixed = self._prefixed
        slashes = path.count("/")
        slash = path.find("/")
        while slash != -1:
            head = path[: slash + 1]
            found.extend(prefixed.get((head, slashes), ()))
            found.extend(prefixed.get((head, -1), ()))
            slash = path.find("/", slash + 1)
        found.sort(key=_position)
        return found

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("root_path"):  # (mounted under a prefix: walk)
            await super().app(scope, receive, send)
            return
        if "router" not in scope:
            scope["router"] = self
        for _, route in self.candidates(scope["path"]):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
        await super().app(scope, receive, send)  # a 405, a redirect or a 404: the full walk


def _may_hold_slash(regex: str) -> bool:
    """Whether a path convertor's pattern might match a `/` (unsure: yes)."""
    return regex != "[^/]+" and any(c in regex for c in "/.\\")


def _position(entry: tuple[int, BaseRoute]) -> int:
    return entry[0]


def all_routes(settings: Settings) -> list[BaseRoute]:
    routes: list[BaseRoute] = list(health.routes)  # probes: no auth, no rate limit
    routes.extend(mastodon_routes)
    routes.extend(mastodon_streaming)  # /api/v1/streaming: websocket, event streams, health
    routes.extend(wellknown.routes)
    routes.extend(federation_documents.routes)  # WebFinger, actors, collections, notes
    routes.extend(federation_inbox.routes)
    routes.extend(pages.routes)
    routes.extend(app_consent.routes)  # after pages: /auth/{token} must not shadow /auth/sign_in
    routes.extend(invite_pages.routes)  # /invite/{code}: sign up with an invite link
    routes.extend(misskey.routes)  # last of the APIs: its dispatcher takes any other /api/ path
    routes.extend(misskey_streaming.routes)  # websocket: /streaming
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
        i18n.preload()  # the catalogs, compiled once (~0.2 s), not on a first localised error
        # With `delivery_process`, `tandem serve` runs the deliveries elsewhere (asgi.run).
        worker = Worker(services, HANDLERS, lanes=not services.settings.delivery_process)
        app.state.worker = worker
        if run_worker:
            worker.start()
        streams = await stream_listener.start(app, services.settings)  # stream_port, if set
        # What start-up made lives as long as the process (modules, compiled statements,
        # catalogs): out of the collector's full passes, which otherwise stop every request
        # for 50-100 ms now and then (measured under delivery load, bench/delivery_bench.py).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await stream_listener.stop(streams)
            await worker.stop()
            await federation_fetch.close_client()
            await services.close()

    services = Services.build(settings)
    front = Middleware(
        Front, count_statements=settings.report_statement_count, requests=services.requests
    )
    app = Starlette(
        middleware=[front],
        exception_handlers={
            404: not_found,
            405: method_not_allowed,
            500: server_error,
            BadRequest: bad_request,  # unreadable HTML forms (API routes answer their own)
        },
    )
    app.router = IndexedRouter(all_routes(settings), lifespan=lifespan)
    passwords.use_fast_hashing(settings.fast_password_hashing)
    app.state.services = services
    return app
