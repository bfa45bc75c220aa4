"""Password hashes: Argon2id at argon2-cffi's full cost unless the test-only setting asks."""

from __future__ import annotations

from tandem.config import load_settings
from tandem.core import passwords


def test_servers_hash_at_full_cost_by_default() -> None:
    assert load_settings().fast_password_hashing is False
    assert passwords.STANDARD.hash("a password").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_a_fast_hash_verifies_and_is_upgraded_at_full_cost() -> None:
    fast = passwords.FAST.hash("a password")
    assert fast.startswith("$argon2id$v=19$m=8192,t=1,p=1$")
    assert passwords.STANDARD.verify(fast, "a password")
    assert passwords.STANDARD.check_needs_rehash(fast)  # so sessions rehash it at sign-in
