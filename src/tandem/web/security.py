"""Headers that lock down tandem's HTML pages (sign-in, OAuth and MiAuth consent, profiles).

The pages run no script and load nothing but their own inline stylesheet (allowed by hash),
images from this server, the media origin and an app's icon, and forms that post to this
server (plus the app callback an approval redirects to: browsers check `form-action` on the
redirects that follow a form submission too).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from tandem.config import Settings
from tandem.core import urls
from tandem.core.oauth import OOB

_TEMPLATES = Path(__file__).parent / "templates"
_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*")
_HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]+)?|\[[0-9A-Fa-f:.]+\](:[0-9]+)?")
# Schemes that run or read something in the browser itself: never a source to allow.
_NEVER = frozenset({"javascript", "data", "blob", "filesystem", "about", "file", "vbscript"})


def _style_hashes() -> tuple[str, ...]:
    """CSP hashes of the <style> blocks in the templates (base.html holds the only one)."""
    found: list[str] = []
    for template in sorted(_TEMPLATES.glob("*.html")):
        for block in re.findall(r"<style>(.*?)</style>", template.read_text(), re.S):
            digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
            found.append(f"'sha256-{digest}'")
    return tuple(found)


STYLE_HASHES = _style_hashes()


def source(url: str | None, *, web_only: bool = False) -> str | None:
    """The CSP source expression that covers `url`: its origin, or `scheme:` for an app's
    own scheme (`myapp://callback`); None for anything that cannot be one safely."""
    if not url or url == OOB:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if not _SCHEME.fullmatch(scheme) or scheme in _NEVER:
        return None
    if scheme in ("http", "https"):
        host = parts.netloc.rsplit("@", 1)[-1]
        return f"{scheme}://{host}" if _HOST.fullmatch(host) else None
    return None if web_only else f"{scheme}:"


def content_security_policy(
    settings: Settings, *, images: Iterable[str | None] = (), forms: Iterable[str | None] = ()
) -> str:
    img = ["'self'", "data:"]
    media = urls.media_origin(settings)
    for extra in (media, *(source(u, web_only=True) for u in images)):
        if extra and extra not in img:
            img.append(extra)
    form = ["'self'"]
    for target in (source(u) for u in forms):
        if target and target not in form:
            form.append(target)
    return "; ".join(
        [
            "default-src 'none'",
            "style-src " + (" ".join(STYLE_HASHES) or "'none'"),
            f"img-src {' '.join(img)}",
            f"form-action {' '.join(form)}",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ]
    )


def page_headers(
    settings: Settings, *, images: Iterable[str | None] = (), forms: Iterable[str | None] = ()
) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(settings, images=images, forms=forms),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
