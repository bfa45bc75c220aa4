"""HTTP signatures for ActivityPub: signing outgoing requests and verifying incoming ones.

Two schemes are spoken. draft-cavage-http-signatures (the `Signature:` header, or
`Authorization: Signature ...`) is what Mastodon and Misskey send and expect; RFC 9421
(`Signature-Input` + `Signature`) is its standard successor, which newer servers send.
Bodies are bound by `Digest` (RFC 3230) or `Content-Digest` (RFC 9530). Pure functions:
the caller brings the clock, and the public keys through `fetch_key`.

The RFC 9421 half lives in `tandem.federation.rfc9421`, the digests in
`tandem.federation.digests`; this module is the API the inbox and delivery call.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import hashlib
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tandem.federation import rfc9421
from tandem.federation.digests import check_digests, digest_header
from tandem.federation.sigbase import (
    PublicKey,
    SignatureError,
    check_clock,
    load_private_key,
    load_public_key,
    shown,
    signed_target,
    utc,
)

__all__ = [
    "SignatureError",
    "SignedRequest",
    "sign_request",
    "sign_request_rfc9421",
    "verify_request",
]


@dataclass(frozen=True)
class SignedRequest:
    """What a verified request proves: who signed it, how, and when."""

    key_id: str
    scheme: Literal["cavage", "rfc9421"]
    created: datetime  # the Date header or the `created` parameter
    replay_key: str  # sha256 hex of the signature bytes: the inbox refuses a repeat


FetchKey = Callable[[str, bool], Awaitable[str | None]]

# Lines that a cavage Signature parameter list is made of: name="value" or name=123.
_CAVAGE_PARAM = re.compile(r'\s*([A-Za-z]+)\s*=\s*(?:"([^"]*)"|([0-9]+))\s*(?:,|$)')
# (created) and (expires) are Unix times; eleven digits last until the year 5138
_UNIX_TIME = re.compile(r"[0-9]{1,11}")
_CAVAGE_ALGORITHMS = frozenset({"rsa-sha256", "hs2019"})


def sign_request(
    *,
    method: str,
    url: str,
    key_id: str,
    private_key_pem: str,
    body: bytes | None = None,
    now: datetime,
    headers: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The headers to send for a signed request, draft-cavage style as Mastodon and Misskey
    send: Host, Date (RFC 7231 IMF-fixdate), Digest (`SHA-256=<b64>`, only with a body) and
    Signature (keyId, algorithm="rsa-sha256", headers="(request-target) host date [digest]",
    signature). `headers` (e.g. Content-Type, Accept) are passed through and returned too."""
    key = load_private_key(private_key_pem)
    _scheme, host, target = signed_target(url)
    if '"' in key_id or "\n" in key_id:
        raise ValueError("a keyId is a URL: no quotes or line breaks")
    ours = {"Host": host, "Date": email.utils.format_datetime(utc(now), usegmt=True)}
    covered = ["(request-target)", "host", "date"]
    if body is not None:
        ours["Digest"] = digest_header(body)
        covered.append("digest")
    lines = [f"(request-target): {method.lower()} {target}"]
    lines += [f"{name}: {ours[name.capitalize()]}" for name in covered[1:]]
    data = "\n".join(lines).encode()
    if isinstance(key, Ed25519PrivateKey):
        # hs2019 leaves the algorithm to the key: the only way to say Ed25519 in cavage
        signature, algorithm = key.sign(data), "hs2019"
    else:
        signature = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        algorithm = "rsa-sha256"
    ours["Signature"] = (
        f'keyId="{key_id}",algorithm="{algorithm}",headers="{" ".join(covered)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )
    return _merge(headers, ours)


def sign_request_rfc9421(
    *,
    method: str,
    url: str,
    key_id: str,
    private_key_pem: str,
    body: bytes | None = None,
    now: datetime,
    headers: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Same, as RFC 9421: Content-Digest (sha-256), Signature-Input sig1=("@method"
    "@target-uri" "content-digest"?);created=..;keyid=..;alg="rsa-v1_5-sha256" (or "ed25519"
    for an Ed25519 key), Signature. Host and Date are sent too, uncovered, for peers that
    look at them."""
    ours = rfc9421.sign(
        method=method,
        url=url,
        key_id=key_id,
        key=load_private_key(private_key_pem),
        body=body,
        now=utc(now),
    )
    return _merge(headers, ours)


async def verify_request(
    *,
    method: str,
    target: str,
    authority: str,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
    fetch_key: FetchKey,
    max_skew: timedelta = timedelta(hours=1),
    scheme: str = "https",
) -> SignedRequest:
    """Verify an incoming request. target = path + ('?' + query if any); authority = the Host
    header value as received; headers = case-insensitive mapping (starlette Headers works);
    scheme = how the request reached us (it is part of RFC 9421's @target-uri).
    fetch_key(key_id, refresh) returns the signer's public key PEM (or None): called with
    refresh=False first and, if the signature does not verify with that key, once more with
    refresh=True (the signer rotated its key). Raises SignatureError otherwise."""
    fields = _fields(headers)
    now = utc(now)
    if "signature-input" in fields:
        request = rfc9421.prepare(
            method=method,
            target=target,
            authority=authority,
            scheme=scheme,
            fields=fields,
            body=body,
            now=now,
            max_skew=max_skew,
        )
        check_digests(fields, body)
        await _verify_with_fetched_key(request.key_id, fetch_key, request.verify)
        return SignedRequest(request.key_id, "rfc9421", request.created, request.replay_key)
    value = fields.get("signature")
    if value is None:
        authorization = fields.get("authorization", "")
        scheme_word, _, rest = authorization.strip().partition(" ")
        if scheme_word.lower() != "signature":
            raise SignatureError("The request is not signed.")
        value = rest
    return await _verify_cavage(
        method, target, authority, fields, value, body, now, max_skew, fetch_key
    )


async def _verify_cavage(
    method: str,
    target: str,
    authority: str,
    fields: dict[str, str],
    value: str,
    body: bytes,
    now: datetime,
    max_skew: timedelta,
    fetch_key: FetchKey,
) -> SignedRequest:
    params = _parse_cavage(value)
    key_id = params.get("keyId")
    if not key_id:
        raise SignatureError("The signature names no keyId.")
    try:
        signature = base64.b64decode(params.get("signature", ""), validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("The signature is not valid base64.") from None
    if not signature:
        raise SignatureError("The signature is empty.")
    algorithm = params.get("algorithm")
    if algorithm is not None and algorithm.lower() not in _CAVAGE_ALGORITHMS:
        raise SignatureError("The signature algorithm is not supported.")
    # draft-cavage-12's default for a missing `headers` is (created); either way it falls short
    covered = params.get("headers", "(created)").lower().split()
    if len(set(covered)) != len(covered):
        raise SignatureError("The signature covers a header twice.")
    missing = [n for n in ("(request-target)", "host") if n not in covered]
    if "date" not in covered and "(created)" not in covered:
        missing.append("date")
    if body and "digest" not in covered and "content-digest" not in covered:
        missing.append("digest")
    if missing:
        raise SignatureError(f"The signature does not cover {', '.join(missing)}.")

    created: datetime | None = None
    lines = []
    for name in covered:
        if name == "(request-target)":
            line_value = f"{method.lower()} {target}"
        elif name in ("(created)", "(expires)"):
            raw = params.get(name[1:-1])
            if raw is None or not _UNIX_TIME.fullmatch(raw):
                raise SignatureError(f"The signature covers {name} without a value for it.")
            line_value = raw
        elif name == "host":
            # the caller's authority is the Host header as received (or what a proxy says it was)
            line_value = authority
        else:
            field = fields.get(name)
            if field is None:
                raise SignatureError(f"The signed header {shown(name)} is missing.")
            line_value = field
        lines.append(f"{name}: {line_value}")
    if "(created)" in covered:
        created = datetime.fromtimestamp(int(params["created"]), UTC)
        check_clock(created, now, max_skew)
    if "date" in covered:
        date = _parse_date(fields["date"])
        check_clock(date, now, max_skew)
        created = created or date
    expires = params.get("expires")
    if expires is not None and _UNIX_TIME.fullmatch(expires) and int(expires) < now.timestamp():
        raise SignatureError("The signature has expired.")
    assert created is not None  # date or (created) is covered: checked above
    check_digests(fields, body)
    data = "\n".join(lines).encode()
    # hs2019 means "whatever the key is": PKCS#1 v1.5 SHA-256 for RSA, as Mastodon reads it
    # (RSA-PSS SHA-512, which the draft had in mind, is tried too), Ed25519 for Ed25519
    alg = "rsa-v1_5-sha256" if algorithm and algorithm.lower() == "rsa-sha256" else None

    def verify(key: PublicKey) -> bool:
        return rfc9421.verify_signature(key, alg, data, signature)

    await _verify_with_fetched_key(key_id, fetch_key, verify)
    return SignedRequest(key_id, "cavage", created, hashlib.sha256(signature).hexdigest())


async def _verify_with_fetched_key(
    key_id: str, fetch_key: FetchKey, verify: Callable[[PublicKey], bool]
) -> None:
    """The signer's key as known, then once refreshed: a mismatch is often a rotated key."""
    pem = await fetch_key(key_id, False)
    if pem is None:
        raise SignatureError("The signing key could not be found.")
    if _verifies(pem, verify):
        return
    fresh = await fetch_key(key_id, True)
    if fresh is None or fresh == pem or not _verifies(fresh, verify):
        raise SignatureError("The signature does not verify.")


def _verifies(pem: str, verify: Callable[[PublicKey], bool]) -> bool:
    try:
        key = load_public_key(pem)
    except SignatureError:
        return False  # an unusable key is as good as a wrong one: refresh may bring a good one
    return verify(key)


def _parse_cavage(value: str) -> dict[str, str]:
    params: dict[str, str] = {}
    position = 0
    value = value.strip()
    while position < len(value):
        match = _CAVAGE_PARAM.match(value, position)
        if match is None or match.end() == position:
            raise SignatureError("The Signature header is malformed.")
        name = match.group(1)
        if name in params:
            raise SignatureError("The Signature header repeats a parameter.")
        params[name] = match.group(2) if match.group(2) is not None else match.group(3)
        position = match.end()
    return params


def _parse_date(value: str) -> datetime:
    try:
        return utc(email.utils.parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError):
        raise SignatureError("The Date header is malformed.") from None


def _fields(headers: Mapping[str, str]) -> dict[str, str]:
    """Lower-cased field names; a repeated field's values joined by ", " (RFC 9110 5.3).
    starlette's Headers yields every (name, value) pair through items(), repeats included."""
    fields: dict[str, str] = {}
    for name, value in headers.items():
        key, value = name.lower(), value.strip()
        fields[key] = f"{fields[key]}, {value}" if key in fields else value
    return fields


def _merge(passed: Mapping[str, str] | None, ours: dict[str, str]) -> dict[str, str]:
    """The caller's headers, except those the signature sets (which must be ours), then ours."""
    names = {name.lower() for name in ours}
    merged = {k: v for k, v in (passed or {}).items() if k.lower() not in names}
    merged.update(ours)
    return merged
