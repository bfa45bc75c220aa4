"""Driving the HTML pages like a browser: hidden form fields, cookies, the sign-in form."""

from __future__ import annotations

import html
import re

import httpx

from support.server import RunningServer


def hidden_fields(page: httpx.Response) -> dict[str, str]:
    return {
        k: html.unescape(v)
        for k, v in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page.text)
    }


def browser(server: RunningServer) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, follow_redirects=False, timeout=30)


def sign_in_from(
    web: httpx.Client, page: httpx.Response, login: str, password: str
) -> httpx.Response:
    """Submit the sign-in form shown on `page` (it carries csrf and where to go next)."""
    assert 'action="/auth/sign_in"' in page.text, page.text
    return web.post(
        "/auth/sign_in", data={**hidden_fields(page), "login": login, "password": password}
    )
