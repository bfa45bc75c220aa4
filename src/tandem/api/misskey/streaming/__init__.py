"""Misskey's streaming API at `/streaming` (connection.py: frames; channels.py: channels)."""

from __future__ import annotations

from starlette.routing import BaseRoute, WebSocketRoute

from tandem.api.misskey.streaming import chat_channels  # noqa: F401  (registers them)
from tandem.api.misskey.streaming.connection import endpoint

routes: list[BaseRoute] = [WebSocketRoute("/streaming", endpoint)]
