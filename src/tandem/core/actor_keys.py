"""Accounts' signing keys: an RSA-2048 pair per local account, and the public keys remote
actors publish.

A local pair is made the first time the account takes part in federation (its actor document
is read, or it signs a delivery), not at sign-up: making one costs ~60 ms of CPU, which
sign-ups of accounts that never federate would pay for nothing. Racing first uses keep one
pair (the row's unique key decides).
"""

from __future__ import annotations

import asyncio

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tandem.config import Settings
from tandem.core import clock, urls
from tandem.core.models import Account
from tandem.store import federation as store
from tandem.store import keys as server_keys
from tandem.store.db import Database
from tandem.store.federation import ActorKey


def new_key_pair() -> tuple[str, str]:
    """(private key PEM, PKCS#8; public key PEM, SubjectPublicKeyInfo)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


def key_id(settings: Settings, account: Account) -> str:
    return f"{urls.actor_uri(settings, account)}#main-key"


async def local_key(db: Database, settings: Settings, account: Account) -> ActorKey:
    """A local account's key pair, made now if it has none yet."""
    async with db.read() as conn:
        found = await store.key_of(conn, account.id)
    if found is not None:
        return found
    private_pem, public_pem = await asyncio.to_thread(new_key_pair)
    async with db.write() as conn:
        return await store.add_local_key(
            conn, account.id, key_id(settings, account), public_pem, private_pem, clock.now()
        )


async def by_key_id(db: Database, key: str) -> tuple[Account, str] | None:
    """The account a keyId names and its public key PEM, if this server knows it."""
    async with db.read() as conn:
        return await store.account_by_key_id(conn, key)


def instance_private_key(settings: Settings) -> str:
    return server_keys.instance_actor_key(settings.data_dir)


def instance_public_key(settings: Settings) -> str:
    private = serialization.load_pem_private_key(
        instance_private_key(settings).encode(), password=None
    )
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def instance_actor_uri(settings: Settings) -> str:
    return f"{settings.base_url}/actor"


def instance_key_id(settings: Settings) -> str:
    return f"{instance_actor_uri(settings)}#main-key"
