"""Password hashing with Argon2id (argon2-cffi's defaults: 3 passes over 64 MiB)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

STANDARD = PasswordHasher()
# The test suite's (`fast_password_hashing`): still Argon2id, at a fraction of the cost.
FAST = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
_hasher = STANDARD


def use_fast_hashing(fast: bool) -> None:
    """Set once per process at start-up, from the settings."""
    global _hasher
    _hasher = FAST if fast else STANDARD


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
