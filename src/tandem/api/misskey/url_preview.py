"""Misskey's `GET /url?url=…&lang=…` (UrlPreviewService): the summaly answer of a link, served
from tandem's preview cards. A fresh stored card answers at once; otherwise the page is
fetched while the client waits (through the outbound guard, a short timeout, counted per
client address) and the card stored for statuses and later previews.

Answers: 200 with `{url, title, icon, description, thumbnail, player, sitename, sensitive,
activityPub}` cached for 7 days (as Misskey); 400 INVALID_PARAM for a missing, repeated or
unusable `url` (or a repeated `lang`); 422 URL_PREVIEW_FAILED (cached an hour) when the page
is refused (a private address), unreachable or gives no card. The thumbnail is the card's
re-encoded image on this server, never the remote one; there is no icon (tandem does not
fetch favicons)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tandem.api.http import JSON, client_ip
from tandem.api.locale import request_locale
from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import rate_limit_exceeded
from tandem.api.misskey.schema import invalid
from tandem.config import Throttle
from tandem.core import oembed, preview_cards, urls
from tandem.core.i18n import Text
from tandem.core.ratelimits import ip_key
from tandem.jobs.preview_cards import fetch_and_store
from tandem.services import Services

URL_PREVIEW_FAILED = e.err(
    "URL_PREVIEW_FAILED",
    "Failed to get preview",
    "09d01cb5-53b9-4856-82e5-38a50c290a3b",
    422,
)
STEP_SECONDS = 5.0  # each step of each request
TOTAL = 10.0  # the page, its oEmbed document and its image together
FETCHES = Throttle(60, 600)  # previews fetched on the spot, per client address
CACHED = "max-age=604800, immutable"
FAILED_CACHED = "max-age=3600"


def summary(services: Services, card: preview_cards.PreviewCard) -> dict[str, Any]:
    """A card as summaly describes a page."""
    data = card.data
    player: dict[str, Any] = {"url": None, "width": None, "height": None, "allow": []}
    found = oembed.player(data.html) if data.type in ("video", "rich") else None
    if found is not None:
        _markup, src, width, height = found
        player = {
            "url": src,
            "width": data.width or width or None,
            "height": data.height or height or None,
            "allow": ["fullscreen"] if "allowfullscreen" in data.html else [],
        }
    return {
        "url": card.url,
        "title": data.title or None,
        "icon": None,
        "description": data.description or None,
        "thumbnail": urls.file_url(services.settings, card.image.path) if card.image else None,
        "player": player,
        "sitename": data.provider_name or urlsplit(card.url).hostname or None,
        "sensitive": False,
        "activityPub": None,
    }


async def url_preview(request: Request) -> Response:
    services: Services = request.app.state.services
    locale = request_locale(request)
    given = request.query_params.getlist("url")
    if len(request.query_params.getlist("lang")) > 1:
        return invalid("lang", Text("must be a language tag like en or ja-JP")).response(locale)
    key = preview_cards.normalise(given[0]) if len(given) == 1 else None
    if key is None:
        return invalid("url", Text("must be a valid URL")).response(locale)
    card = await preview_cards.fresh(services.db, key)
    if card is None:
        limiter = services.limiter
        allowed = max(1, round(FETCHES.limit * services.settings.endpoint_limit_factor))
        hit = await limiter.hit_custom(
            "misskey:url", ip_key(client_ip(request)), Throttle(allowed, FETCHES.period)
        )
        if hit is not None and hit.exceeded:
            return rate_limit_exceeded(hit.limit, hit.reset_at).response(locale)
        try:
            card = await fetch_and_store(services, key, None, step=STEP_SECONDS, total=TOTAL)
        except TimeoutError:
            card = None
    if card is None:
        failed = URL_PREVIEW_FAILED.raise_()
        failed.headers = {"Cache-Control": FAILED_CACHED}
        return failed.response(locale)
    return JSON(summary(services, card), headers={"Cache-Control": CACHED})


routes = [Route("/url", url_preview, methods=["GET"])]
