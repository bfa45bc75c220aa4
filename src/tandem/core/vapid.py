"""Web Push cryptography: the VAPID signature (RFC 8292) and the message encryption
(RFC 8291, `aes128gcm`, by the maintained `http_ece` library), plus the sealing of the
access token a Mastodon push payload carries.

The server's P-256 key pair is made on first start and kept in the data folder
(store/keys.py); clients get its public half (`swPublickey`, `server_key`, `vapid_key`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import time
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import http_ece
import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tandem.store.keys import vapid_private_key

JWT_LIFETIME = 12 * 3600  # push services refuse a VAPID token valid for more than 24 hours


def b64url_decode(value: str) -> bytes:
    """Base64url (or plain base64), padding optional, as browsers and apps send keys."""
    cleaned = value.strip().replace("+", "-").replace("/", "_").rstrip("=")
    return base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def receiver_key(p256dh: str) -> bytes | None:
    """The subscription's public key as the 65 bytes of a P-256 point, or None if it is not one."""
    try:
        raw = b64url_decode(p256dh)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except (ValueError, binascii.Error):
        return None
    return raw if len(raw) == 65 else None


def auth_secret(auth: str) -> bytes | None:
    """The subscription's 16-byte authentication secret, or None if it is not one."""
    try:
        raw = b64url_decode(auth)
    except (ValueError, binascii.Error):
        return None
    return raw if len(raw) == 16 else None


@cache
def _server_key(data_dir: Path) -> ec.EllipticCurvePrivateKey:
    return vapid_private_key(data_dir)


def public_key(data_dir: Path) -> str:
    raw = (
        _server_key(data_dir)
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return b64url(raw)


def authorization(data_dir: Path, endpoint: str, subject: str) -> str:
    """The `Authorization: vapid t=…, k=…` header for a request to `endpoint`: an ES256 JWT
    whose audience is the push service's origin."""
    parts = urlsplit(endpoint)
    claims = {
        "aud": f"{parts.scheme}://{parts.netloc}",
        "exp": int(time.time()) + JWT_LIFETIME,
        "sub": subject,
    }
    header = b64url(orjson.dumps({"typ": "JWT", "alg": "ES256"}))
    signing_input = f"{header}.{b64url(orjson.dumps(claims))}"
    der = _server_key(data_dir).sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    signature = b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
    return f"vapid t={signing_input}.{signature}, k={public_key(data_dir)}"


def encrypt(payload: bytes, p256dh: str, auth: str) -> bytes:
    """The message body for the subscription (RFC 8291 `aes128gcm`, one record)."""
    receiver = receiver_key(p256dh)
    secret = auth_secret(auth)
    if receiver is None or secret is None:
        raise ValueError("not a Web Push subscription key")
    return bytes(
        http_ece.encrypt(
            payload,
            salt=os.urandom(16),
            private_key=ec.generate_private_key(ec.SECP256R1()),
            dh=receiver,
            auth_secret=secret,
            version="aes128gcm",
        )
    )


def _token_key(secret_key: str) -> AESGCM:
    return AESGCM(hashlib.sha256(f"push-token:{secret_key}".encode()).digest())


def seal(secret_key: str, token: str) -> str:
    """An access token stored for the push payload, encrypted with the server's secret."""
    nonce = os.urandom(12)
    return b64url(nonce + _token_key(secret_key).encrypt(nonce, token.encode(), None))


def unseal(secret_key: str, sealed: str | None) -> str | None:
    if not sealed:
        return None
    try:
        raw = b64url_decode(sealed)
        return _token_key(secret_key).decrypt(raw[:12], raw[12:], None).decode()
    except (ValueError, binascii.Error, InvalidTag):
        return None  # the secret key changed: the payload goes without a token
