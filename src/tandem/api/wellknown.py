"""Discovery documents outside any dialect: nodeinfo."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tandem import __version__
from tandem.api.http import JSON
from tandem.core import instance
from tandem.services import Services

NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/2.0"


async def nodeinfo_links(request: Request) -> Response:
    services: Services = request.app.state.services
    href = f"{services.settings.base_url}/nodeinfo/2.0"
    return JSON({"links": [{"rel": NODEINFO_SCHEMA, "href": href}]})


async def nodeinfo(request: Request) -> Response:
    services: Services = request.app.state.services
    s = services.settings
    stats = await instance.stats(services.db)
    body = {
        "version": "2.0",
        "software": {"name": "tandem", "version": __version__},
        "protocols": ["activitypub"],
        "services": {"outbound": [], "inbound": []},
        "usage": {
            "users": {
                "total": stats.users,
                "activeMonth": stats.active_month,
                "activeHalfyear": stats.active_halfyear,
            },
            "localPosts": stats.statuses,
        },
        "openRegistrations": s.registrations == "open",
        "metadata": {
            "nodeName": s.instance_title,
            "nodeDescription": s.instance_description,
            "federation": {"enabled": True},
        },
    }
    media = f'application/json; profile="{NODEINFO_SCHEMA}#"'
    return JSON(body, headers={"Content-Type": media})


routes = [
    Route("/.well-known/nodeinfo", nodeinfo_links, methods=["GET"]),
    Route("/nodeinfo/2.0", nodeinfo, methods=["GET"]),
]
