"""The Misskey dialect's routes; importing every module of `endpoints/` registers its endpoints."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from starlette.routing import BaseRoute

from tandem.api.misskey import endpoint, endpoints, url_preview
from tandem.api.misskey.endpoints import apps

ENDPOINT_MODULES: list[ModuleType] = [
    importlib.import_module(f"{endpoints.__name__}.{info.name}")
    for info in pkgutil.iter_modules(endpoints.__path__)
]

# The catch-all dispatcher goes last, after the MiAuth pick-up route.
routes: list[BaseRoute] = [*apps.routes, *url_preview.routes, *endpoint.routes]
