"""Which language a request's error texts are written in.

In order: an explicit `lang` parameter (as Mastodon's `Localized` concern; query string, or
the Mastodon dialect's parameters), then the `Accept-Language` header (q-values honoured,
negotiated with Babel against the languages whose catalogs are complete), then the signed-in
user's language: in the Mastodon dialect its locale (`users.locale`, chosen at sign-up), else
its Misskey profile's `lang`; in the Misskey dialect that `lang` (set with `i/update`) first.
Else English.

Mastodon asks the user's locale before the header; here the header comes first, because it
says what the device in hand shows now, while the stored locale is often a client library's
sign-up default (Mastodon.py sends `locale=en`). A client that sends no header (most API
libraries) gets the account's language.

Only an error being rendered asks; a successful request never negotiates anything.
"""

from __future__ import annotations

from functools import lru_cache

from starlette.requests import Request

from tandem.core.i18n import DEFAULT, supported
from tandem.core.models import Principal


@lru_cache(maxsize=1024)
def from_accept_language(header: str) -> str | None:
    """The best supported language of an `Accept-Language` header (`*` and q=0 ignored)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header[:1000].split(",")[:50]):
        tag, _, rest = part.strip().partition(";")
        tag = tag.strip()
        quality = 1.0
        for attribute in rest.split(";"):
            key, _, value = attribute.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag))
    for _, _, tag in sorted(ranked):
        found = supported(tag)
        if found is not None:
            return found
    return None


def request_locale(
    request: Request,
    principal: Principal | None = None,
    lang: object = None,
    *,
    profile_first: bool = False,
    fallback: str | None = None,
) -> str:
    """The language to answer this request's errors in (see the module's docstring);
    `fallback` stands for the account's language where there is no principal (a signed-in
    web page)."""
    explicit = lang if isinstance(lang, str) else request.query_params.get("lang")
    found = supported(explicit)
    if found is None:
        header = request.headers.get("accept-language")
        found = from_accept_language(header) if header else None
    if found is None and fallback is not None:
        found = supported(fallback)
    if found is None and principal is not None:
        locale = supported(principal.user.locale if principal.user is not None else None)
        profile = supported(principal.account.lang if principal.account is not None else None)
        found = (profile or locale) if profile_first else (locale or profile)
    return found or DEFAULT
