"""The server the benchmark measures: tandem exactly as `tandem serve` runs it, plus two bare
JSON routes as the baselines: a GET, and a POST that reads and parses its JSON body.

    python bench/serve.py PORT [--workers N] [--server granian|uvicorn]

The bare routes are served by the same ASGI server, in the same worker processes, through the
same middleware, so the ratio isolates what tandem's own work costs (auth, queries,
serialization). Settings come from the environment (`TANDEM_*`), as for the workers of
`tandem serve`. `--server uvicorn` runs the same app on uvicorn, for comparing the servers.
"""

from __future__ import annotations

import argparse

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from tandem import asgi
from tandem.api.http import JSON
from tandem.config import load_settings


async def bare(_request: Request) -> Response:
    return JSON({"id": "1", "username": "bare", "acct": "bare"})


async def bare_post(request: Request) -> Response:
    """The ceiling for a call that must read its JSON body first (every Misskey call)."""
    body = orjson.loads(await request.body())
    return JSON({"id": "1", "username": "bare", "acct": "bare", "keys": len(body)})


def app() -> ASGIApp:
    """The factory each worker process calls (`serve:app`)."""
    return asgi.build(
        load_settings(),
        first_routes=[
            Route("/bench/bare", bare, methods=["GET"]),
            Route("/bench/bare-post", bare_post, methods=["POST"]),
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--server", choices=["granian", "uvicorn"], default="granian")
    args = parser.parse_args()
    overrides = {"host": "127.0.0.1", "port": args.port, "workers": args.workers}
    settings = asgi.prepare(load_settings(**overrides))
    asgi.pass_on(overrides)
    if args.server == "uvicorn":
        import uvicorn

        if args.workers != 1:
            raise SystemExit("the uvicorn comparison runs one worker")
        uvicorn.run(app(), host="127.0.0.1", port=args.port, log_level="warning", access_log=False)
    else:
        asgi.run(settings, target="serve:app")


if __name__ == "__main__":
    main()
