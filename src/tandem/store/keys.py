"""Server key material kept in the data folder (created on first start)."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def vapid_private_key(data_dir: Path) -> ec.EllipticCurvePrivateKey:
    """The Web Push (VAPID) P-256 key pair, made on first use and kept in the data folder."""
    key_file = data_dir / "vapid_private_key.pem"
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        private = ec.generate_private_key(ec.SECP256R1())
        key_file.write_bytes(
            private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        key_file.chmod(0o600)
    loaded = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    assert isinstance(loaded, ec.EllipticCurvePrivateKey)
    return loaded


def vapid_public_key(data_dir: Path) -> str:
    """The VAPID public key, base64url without padding (uncompressed point), as apps expect it."""
    raw = (
        vapid_private_key(data_dir)
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def instance_actor_key(data_dir: Path) -> str:
    """The instance actor's RSA private key (PEM), made on first use: it signs the fetches
    the server makes on no one account's behalf."""
    key_file = data_dir / "instance_actor_key.pem"
    if not key_file.exists():
        from cryptography.hazmat.primitives.asymmetric import rsa

        data_dir.mkdir(parents=True, exist_ok=True)
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        partial = key_file.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(
            private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        partial.chmod(0o600)
        partial.replace(key_file)  # racing processes: one file wins whole
    return key_file.read_text()
