"""What both HTTP signature schemes share: the error, key loading, the clock check and how
a URL becomes the (authority, target) pair a signature covers."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

PublicKey = RSAPublicKey | Ed25519PublicKey
PrivateKey = RSAPrivateKey | Ed25519PrivateKey

_SHOWABLE = re.compile(r"@?[a-z0-9][a-z0-9-]{0,39}")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


class SignatureError(Exception):
    """A request whose signature is missing, malformed, expired, or does not verify.
    str(err) is a short sentence for the 401 body (never echoes secrets)."""


def load_public_key(pem: str) -> PublicKey:
    """An RSA (SubjectPublicKeyInfo or PKCS#1 "RSA PUBLIC KEY") or Ed25519 public key."""
    try:
        key = serialization.load_pem_public_key(pem.strip().encode())
    except (ValueError, TypeError, UnicodeEncodeError):
        raise SignatureError("The signer's public key is unusable.") from None
    if not isinstance(key, RSAPublicKey | Ed25519PublicKey):
        raise SignatureError("The signer's key type is not supported.")
    return key


@functools.lru_cache(maxsize=256)
def load_private_key(pem: str) -> PrivateKey:
    """Our own signing key (RSA or Ed25519, PKCS#8 or PKCS#1). A bad one is our bug: ValueError.
    Kept once loaded: OpenSSL checks an RSA key as it loads it (~57 ms), and a fan-out signs
    hundreds of deliveries with the same key."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, RSAPrivateKey | Ed25519PrivateKey):
        raise ValueError("signing keys are RSA or Ed25519")
    return key


def shown(name: str) -> str:
    """A field or component name fit to repeat in an error: the sender chose it."""
    return name if _SHOWABLE.fullmatch(name) else "(unnamed)"


def utc(moment: datetime) -> datetime:
    """An aware UTC datetime (a naive one is taken to be UTC already)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def check_clock(created: datetime, now: datetime, max_skew: timedelta) -> None:
    if created < now - max_skew:
        raise SignatureError("The signature has expired.")
    if created > now + max_skew:
        raise SignatureError("The signature has expired: it is dated in the future.")


def normalize_authority(authority: str, scheme: str) -> str:
    """Lower-case host, without the scheme's default port (RFC 9421 2.2.3)."""
    authority = authority.strip().lower()
    default = _DEFAULT_PORTS.get(scheme.lower())
    if default and authority.endswith(f":{default}") and not authority.endswith("]"):
        authority = authority[: -len(default) - 1]
    return authority


def signed_target(url: str) -> tuple[str, str, str]:
    """(scheme, authority, target) of an absolute URL, as an HTTP client sends them in the
    request line and Host header: the default port dropped, an empty path as "/"."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.netloc:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    authority = normalize_authority(parts.netloc.rpartition("@")[2], scheme)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, authority, target
