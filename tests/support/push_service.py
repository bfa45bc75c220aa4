"""A local Web Push service: it records the messages it gets, checks their VAPID signature
(RFC 8292) and decrypts them (RFC 8291 aes128gcm) with the subscription's private key, as a
browser's push service and service worker would between them."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Browser:
    """A subscription's keys, as a browser makes them (P-256 key pair, 16-byte secret)."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(raw)

    @property
    def auth(self) -> str:
        return b64url(self.secret)

    def decrypt(self, delivery: Delivery) -> Any:
        assert delivery.headers["content-encoding"] == "aes128gcm"
        plain = http_ece.decrypt(
            delivery.body,
            private_key=self.private_key,
            auth_secret=self.secret,
            version="aes128gcm",
        )
        return json.loads(plain)


def check_vapid(delivery: Delivery, server_key: str, origin: str) -> dict[str, Any]:
    """The JWT's claims, after checking its ES256 signature by `server_key`, audience, expiry."""
    scheme, _, rest = delivery.headers["authorization"].partition(" ")
    assert scheme == "vapid", delivery.headers["authorization"]
    parts = dict(p.strip().split("=", 1) for p in rest.split(","))
    assert parts["k"] == server_key
    header, claims, signature = parts["t"].split(".")
    assert json.loads(unb64url(header)) == {"typ": "JWT", "alg": "ES256"}
    raw = unb64url(signature)
    assert len(raw) == 64
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(server_key))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if bad
    found: dict[str, Any] = json.loads(unb64url(claims))
    assert found["aud"] == origin
    assert time.time() < found["exp"] <= time.time() + 24 * 3600
    assert found["sub"]
    return found


class PushService:
    """Answers each path's POSTs with its status (`statuses[path]`, else 201)."""

    def __init__(self) -> None:
        self.statuses: dict[str, int] = {}
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with service._lock:
                    service.deliveries.append(Delivery(self.path, headers, raw))
                    status = service.statuses.get(self.path, 201)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self._count = 0

    def browser(self, status: int = 201) -> Browser:
        """A new subscription's keys, with an endpoint of its own on this service."""
        with self._lock:
            self._count += 1
            path = f"/push/{self._count}"
            self.statuses[path] = status
        return Browser(self.origin + path)

    def to(self, browser: Browser) -> list[Delivery]:
        path = browser.endpoint.removeprefix(self.origin)
        with self._lock:
            return [d for d in self.deliveries if d.path == path]

    def wait_for(self, browser: Browser, count: int = 1, timeout: float = 15) -> list[Delivery]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(browser)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"{browser.endpoint}: {len(self.to(browser))} of {count} deliveries")

    def messages(self, browser: Browser, count: int = 1, timeout: float = 15) -> list[Any]:
        return [browser.decrypt(d) for d in self.wait_for(browser, count, timeout)]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
