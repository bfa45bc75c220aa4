"""User files at /system/...: served so that none of them can act as a page of this origin.

Every response carries `X-Content-Type-Options: nosniff` and a sandboxing CSP; the type comes
from the extension the file was stored under (chosen from its sniffed bytes, see
`core/filetypes.py`), and only images, audio and video are shown inline: everything else
(SVG, HTML, text, archives) is a download. Dotfiles (half-written files) and any path that
leaves the media folder are not found.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from tandem.api.http import JSON
from tandem.core import filetypes
from tandem.services import Services

CSP = "default-src 'none'; sandbox"
# File names are random and never reused, so a file never changes once written.
CACHE = "public, max-age=31536000, immutable"
_SAFE_NAME = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9]+")


def _not_found() -> Response:
    return JSON({"error": "Record not found"}, status_code=404)


async def serve(request: Request) -> Response:
    services: Services = request.app.state.services
    relative: str = request.path_params["path"]
    segments = relative.split("/")
    if any(not s or s.startswith(".") or "\\" in s or "\x00" in s for s in segments):
        return _not_found()
    try:
        target = services.files.path(relative)
        stat = target.stat()
    except (ValueError, OSError):
        return _not_found()
    if not target.is_file():
        return _not_found()
    content_type, inline = filetypes.served(relative)
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": CSP,
        "Cache-Control": CACHE,
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if not inline:
        name = segments[-1]
        headers["Content-Disposition"] = (
            f'attachment; filename="{name}"' if _SAFE_NAME.fullmatch(name) else "attachment"
        )
    response = FileResponse(target, media_type=content_type, headers=headers, stat_result=stat)
    etag = response.headers.get("etag")
    if etag and etag in request.headers.get("if-none-match", ""):
        kept = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return Response(status_code=304, headers=kept)
    return response


async def no_listing(_request: Request) -> Response:
    return _not_found()


routes = [
    Route("/system", no_listing, methods=["GET", "HEAD"]),  # `/system/` arrives as `/system`
    Route("/system/{path:path}", serve, methods=["GET", "HEAD"]),
]
