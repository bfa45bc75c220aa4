"""Outbound ActivityPub requests: signed GETs of actors and objects, and signed POSTs of
deliveries, through one guard.

Every request and every redirect hop is checked: http(s) only, no loopback or private
address unless `allow_loopback_fetch` (tests), no server this one refuses (domain
policies). Bodies read are bounded; each step (connect, each read) is bounded in time.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import orjson

from tandem.config import Settings
from tandem.core import clock
from tandem.federation.signatures import sign_request
from tandem.jobs.outbound import public_host
from tandem.tls import client_context

AP_ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
AP_CONTENT_TYPE = "application/activity+json"
MAX_BYTES = 1024 * 1024
MAX_REDIRECTS = 3
STEP_SECONDS = 10.0
_JSON_TYPES = ("application/activity+json", "application/ld+json", "application/json")
_JRD_TYPES = ("application/jrd+json", "application/json")


class FetchError(Exception):
    """The document could not be had: refused by the guard, unreachable, not 200, too big,
    or not JSON. str(err) says which."""


@dataclass(frozen=True)
class Signer:
    key_id: str
    private_key_pem: str


# A connection pool per event loop (test servers run one loop per thread), kept with its
# loop: an id alone could be a finished loop's, reused.
_clients: dict[int, tuple[asyncio.AbstractEventLoop, httpx.AsyncClient]] = {}


def client() -> httpx.AsyncClient:
    loop = asyncio.get_running_loop()
    found = _clients.get(id(loop))
    if found is not None and found[0] is loop and not found[1].is_closed:
        return found[1]
    made = httpx.AsyncClient(
        timeout=STEP_SECONDS,
        follow_redirects=False,
        verify=client_context(),
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
    )
    _clients[id(loop)] = (loop, made)
    return made


async def close_client() -> None:
    """Close this loop's pool (the app's shutdown)."""
    found = _clients.pop(id(asyncio.get_running_loop()), None)
    if found is not None:
        await found[1].aclose()


async def allowed(settings: Settings, url: str) -> bool:
    """May this server send a request to that URL?"""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if settings.allow_loopback_fetch:
        return True
    return await public_host(parts.hostname)


def _headers(
    method: str, url: str, signer: Signer | None, body: bytes | None, extra: dict[str, str]
) -> dict[str, str]:
    if signer is None:
        return extra
    return sign_request(
        method=method,
        url=url,
        key_id=signer.key_id,
        private_key_pem=signer.private_key_pem,
        body=body,
        now=clock.now(),
        headers=extra,
    )


async def get_json(
    settings: Settings,
    url: str,
    *,
    signer: Signer | None = None,
    accept: str = AP_ACCEPT,
    types: tuple[str, ...] = _JSON_TYPES,
) -> tuple[str, dict[str, Any]]:
    """(final URL after redirects, the JSON object there)."""
    for _ in range(MAX_REDIRECTS + 1):
        if not await allowed(settings, url):
            raise FetchError(f"fetching {url} is not allowed")
        headers = _headers("GET", url, signer, None, {"Accept": accept})
        try:
            async with client().stream("GET", url, headers=headers) as response:
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                if response.status_code != 200:
                    raise FetchError(f"{url} answered {response.status_code}")
                media = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if media not in types:
                    raise FetchError(f"{url} is {media or 'untyped'}, not JSON")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_BYTES:
                        raise FetchError(f"{url} is larger than {MAX_BYTES} bytes")
        except httpx.HTTPError as err:
            raise FetchError(f"{url}: {type(err).__name__}") from err
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as err:
            raise FetchError(f"{url} is not JSON") from err
        if not isinstance(data, dict):
            raise FetchError(f"{url} is not a JSON object")
        return url, data
    raise FetchError(f"{url}: too many redirects")


async def get_jrd(settings: Settings, url: str) -> dict[str, Any]:
    """A WebFinger answer (JRD)."""
    _, data = await get_json(settings, url, accept="application/jrd+json", types=_JRD_TYPES)
    return data


@dataclass(frozen=True)
class PostResult:
    status: int
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def permanent(self) -> bool:
        """A refusal that trying again will not change (Mastodon gives up on these too)."""
        return 400 <= self.status < 500 and self.status not in (401, 408, 429)


async def post_activity(
    settings: Settings, inbox: str, activity: dict[str, Any], signer: Signer
) -> PostResult:
    """POST a signed activity to an inbox (no redirects followed: a delivery goes where the
    actor said)."""
    if not await allowed(settings, inbox):
        raise FetchError(f"delivering to {inbox} is not allowed")
    body = orjson.dumps(activity)
    headers = _headers("POST", inbox, signer, body, {"Content-Type": AP_CONTENT_TYPE})
    try:  # (the answer's body is never read: a delivery only needs its status)
        async with client().stream("POST", inbox, content=body, headers=headers) as response:
            retry = response.headers.get("retry-after", "")
            return PostResult(response.status_code, float(retry) if retry.isdigit() else None)
    except httpx.HTTPError as err:
        raise FetchError(f"{inbox}: {type(err).__name__}") from err
