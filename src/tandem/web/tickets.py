"""Short-lived signed tickets: proof a password was right while the second factor is asked."""

from __future__ import annotations

import hashlib
import hmac
import time

LIFETIME = 300


def _sign(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def issue(secret: str, account_id: int) -> str:
    payload = f"{account_id}:{int(time.time()) + LIFETIME}"
    return f"{payload}:{_sign(secret, payload)}"


def redeem(secret: str, ticket: str) -> int | None:
    """The account id the ticket vouches for, if it is genuine and not expired."""
    parts = ticket.split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    payload = f"{parts[0]}:{parts[1]}"
    signature = parts[2].encode()  # as bytes: compare_digest refuses non-ASCII str
    if (
        not hmac.compare_digest(_sign(secret, payload).encode(), signature)
        or int(parts[1]) < time.time()
    ):
        return None
    return int(parts[0])
