"""Mastodon's streaming API (websocket and event streams) over the event bus: see
endpoints.py for the protocol, streams.py for the streams, render.py for the events."""

from __future__ import annotations

from starlette.routing import BaseRoute

from tandem.api.mastodon.streaming.endpoints import all_routes

routes: list[BaseRoute] = all_routes()
