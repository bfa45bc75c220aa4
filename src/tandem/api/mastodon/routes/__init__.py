"""The Mastodon dialect's handlers, one module per resource; importing this package imports every
module, and each registers its routes on `endpoint.routes`, the dialect's one route list."""

from __future__ import annotations

import importlib
import pkgutil

from starlette.routing import BaseRoute

from tandem.api.mastodon import endpoint

for _info in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_info.name}")

all_routes: list[BaseRoute] = list(endpoint.routes)
