"""The server the benchmark measures: tandem's app plus one bare Starlette route as baseline.

Both run in the same process, framework, server and middleware, so the ratio isolates what
tandem's own work costs (auth, queries, serialization).
"""

from __future__ import annotations

import sys

import uvicorn
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tandem.api.http import JSON
from tandem.app import create_app
from tandem.config import load_settings


async def bare(_request: Request) -> Response:
    return JSON({"id": "1", "username": "bare", "acct": "bare"})


def main() -> None:
    port = int(sys.argv[1])
    settings = load_settings(port=port, rate_limits_enabled=False)
    app = create_app(settings)
    app.router.routes.insert(0, Route("/bench/bare", bare, methods=["GET"]))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
