"""Body digests that bind a signed request to its body: `Digest` (RFC 3230, what Mastodon
and Misskey send) and `Content-Digest` (RFC 9530, what RFC 9421 signers send)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

import http_sf

from tandem.federation.sigbase import SignatureError

# The algorithms we check, by their lower-cased names in either header; others are ignored
# (RFC 3230 and 9530 let a sender list several).
_ALGORITHMS = {"sha-256": "sha256", "sha-512": "sha512"}


def digest_header(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def content_digest_header(body: bytes) -> str:
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"


def check_digests(fields: dict[str, str], body: bytes) -> None:
    """Each digest header present must match the body; a body needs at least one of them.
    `fields` has lower-cased names."""
    digest, content_digest = fields.get("digest"), fields.get("content-digest")
    if digest is not None:
        _check(_parse_digest(digest), body, "Digest")
    if content_digest is not None:
        _check(_parse_content_digest(content_digest), body, "Content-Digest")
    if body and digest is None and content_digest is None:
        raise SignatureError("The request body has no Digest or Content-Digest.")


def _check(claimed: dict[str, bytes], body: bytes, header: str) -> None:
    known = {name: value for name, value in claimed.items() if name in _ALGORITHMS}
    if not known:
        raise SignatureError(f"The {header} header names no supported algorithm.")
    for name, value in known.items():
        actual = hashlib.new(_ALGORITHMS[name], body).digest()
        if not hmac.compare_digest(actual, value):
            raise SignatureError(f"The {header} header does not match the body.")


def _parse_digest(value: str) -> dict[str, bytes]:
    claimed: dict[str, bytes] = {}
    for part in value.split(","):
        name, equals, encoded = part.strip().partition("=")
        if not equals:
            raise SignatureError("The Digest header is malformed.")
        if name.lower() in _ALGORITHMS:
            try:
                claimed[name.lower()] = base64.b64decode(encoded.strip(), validate=True)
            except (binascii.Error, ValueError):
                raise SignatureError("The Digest header is malformed.") from None
        else:
            claimed[name.lower()] = b""
    return claimed


def _parse_content_digest(value: str) -> dict[str, bytes]:
    try:
        parsed = http_sf.parse(value.encode(), tltype="dictionary")
    except (http_sf.StructuredFieldError, ValueError, UnicodeEncodeError):
        raise SignatureError("The Content-Digest header is malformed.") from None
    assert isinstance(parsed, dict)
    claimed: dict[str, bytes] = {}
    for name, member in parsed.items():
        item = member[0] if isinstance(member, tuple) else member
        if name in _ALGORITHMS and not isinstance(item, bytes):
            raise SignatureError("The Content-Digest header is malformed.")
        claimed[name] = item if isinstance(item, bytes) else b""
    return claimed
