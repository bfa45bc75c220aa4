"""RFC 9421 HTTP Message Signatures for requests: `Signature-Input` and `Signature`.

`sign` makes the headers of an outgoing request; `prepare` checks an incoming one (which
label, coverage, parameters, clock) and builds its signature base, leaving only the
cryptographic check, which needs the signer's key, to `Prepared.verify`.
"""

from __future__ import annotations

import email.utils
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import http_sf
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from http_sf.innerlist import ser_innerlist
from http_sf.types import InnerListType, ItemType, ParamsType

from tandem.federation.digests import content_digest_header
from tandem.federation.sigbase import (
    PrivateKey,
    PublicKey,
    SignatureError,
    check_clock,
    normalize_authority,
    shown,
    signed_target,
)

LABEL = "sig1"
# rsa-pss-sha512 uses a 64-byte salt (RFC 9421 3.3.1)
_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=64)
_ALGORITHMS = frozenset({"rsa-v1_5-sha256", "rsa-pss-sha512", "ed25519"})


@dataclass(frozen=True)
class RequestParts:
    """What the derived components of a request are computed from."""

    method: str
    target: str  # path + ('?' + query if any)
    authority: str
    scheme: str


@dataclass(frozen=True)
class Prepared:
    """A request whose Signature-Input passed every check but the cryptographic one."""

    key_id: str
    created: datetime
    replay_key: str
    base: bytes
    signature: bytes
    alg: str | None

    def verify(self, key: PublicKey) -> bool:
        return verify_signature(key, self.alg, self.base, self.signature)


def sign(
    *,
    method: str,
    url: str,
    key_id: str,
    key: PrivateKey,
    body: bytes | None,
    now: datetime,
) -> dict[str, str]:
    scheme, authority, target = signed_target(url)
    headers = {"Host": authority, "Date": email.utils.format_datetime(now, usegmt=True)}
    components: list[ItemType] = [("@method", {}), ("@target-uri", {})]
    if body is not None:
        headers["Content-Digest"] = content_digest_header(body)
        components.append(("content-digest", {}))
    alg = "ed25519" if isinstance(key, Ed25519PrivateKey) else "rsa-v1_5-sha256"
    member: InnerListType = (
        components,
        {"created": int(now.timestamp()), "keyid": key_id, "alg": alg},
    )
    fields = {name.lower(): value for name, value in headers.items()}
    base = signature_base(member, RequestParts(method.upper(), target, authority, scheme), fields)
    if isinstance(key, Ed25519PrivateKey):
        signature = key.sign(base)
    else:
        signature = key.sign(base, padding.PKCS1v15(), hashes.SHA256())
    headers["Signature-Input"] = http_sf.ser({LABEL: member})
    headers["Signature"] = http_sf.ser({LABEL: (signature, {})})
    return headers


def prepare(
    *,
    method: str,
    target: str,
    authority: str,
    scheme: str,
    fields: dict[str, str],
    body: bytes,
    now: datetime,
    max_skew: timedelta,
) -> Prepared:
    """Check the first signature whose coverage suffices; `fields` has lower-cased names."""
    inputs = _dictionary(fields["signature-input"], "Signature-Input")
    signatures = _dictionary(fields.get("signature", ""), "Signature")
    reason = "The request has no signature in Signature-Input."
    for label, member in inputs.items():
        if not (isinstance(member, tuple) and isinstance(member[0], list)):
            raise SignatureError("The Signature-Input header is malformed.")
        names = [_component_name(item) for item in member[0]]
        shortfall = _shortfall(set(names), body)
        if shortfall:
            reason = f"The signature does not cover {shortfall}."
            continue
        if len(set(names)) != len(names):
            raise SignatureError("The signature covers a component twice.")
        return _prepare_member(
            member,
            signatures.get(label),
            RequestParts(method, target, authority, scheme),
            fields,
            now,
            max_skew,
        )
    raise SignatureError(reason)


def _prepare_member(
    member: InnerListType,
    signature_member: object,
    request: RequestParts,
    fields: dict[str, str],
    now: datetime,
    max_skew: timedelta,
) -> Prepared:
    item = signature_member[0] if isinstance(signature_member, tuple) else signature_member
    if not isinstance(item, bytes) or not item:
        raise SignatureError("The Signature header has no signature for the label.")
    params: ParamsType = member[1] if isinstance(member, tuple) else {}
    created, expires = params.get("created"), params.get("expires")
    key_id, alg = params.get("keyid"), params.get("alg")
    # bool is an int to Python, not to RFC 8941
    if type(created) is not int:
        raise SignatureError("The signature has no created parameter.")
    if not isinstance(key_id, str) or not key_id:
        raise SignatureError("The signature has no keyid parameter.")
    if alg is not None and (not isinstance(alg, str) or alg not in _ALGORITHMS):
        raise SignatureError("The signature algorithm is not supported.")
    if expires is not None and (type(expires) is not int or expires < now.timestamp()):
        raise SignatureError("The signature has expired.")
    try:
        created_at = datetime.fromtimestamp(created, UTC)
    except (OverflowError, OSError, ValueError):
        raise SignatureError("The signature's created parameter is out of range.") from None
    check_clock(created_at, now, max_skew)
    base = signature_base(member, request, fields)
    replay_key = hashlib.sha256(item).hexdigest()
    return Prepared(key_id, created_at, replay_key, base, item, alg)


def signature_base(member: InnerListType, request: RequestParts, fields: dict[str, str]) -> bytes:
    """RFC 9421 2.5: one line per covered component, then "@signature-params"."""
    components = member[0] if isinstance(member, tuple) else member
    lines = []
    for component in components:
        name = _component_name(component)
        if isinstance(component, tuple) and component[1]:
            raise SignatureError(f"The component parameters of {shown(name)} are not supported.")
        if name.startswith("@"):
            value = _derived(name, request)
        elif name != name.lower() or not name:
            raise SignatureError("The Signature-Input header is malformed.")
        elif name not in fields:
            raise SignatureError(f"The signed header {shown(name)} is missing.")
        else:
            value = fields[name]
        lines.append(f"{http_sf.ser((name, {}))}: {value}")
    lines.append(f'"@signature-params": {ser_innerlist(member)}')
    try:
        return "\n".join(lines).encode("ascii")
    except UnicodeEncodeError:
        raise SignatureError("A signed component is not ASCII.") from None


def verify_signature(key: PublicKey, alg: str | None, base: bytes, signature: bytes) -> bool:
    """Whether `signature` over `base` verifies with `key` under `alg` (absent: the key's
    kind decides; for RSA both RSA algorithms are tried, as the key cannot say which)."""
    checks: list[Callable[[], None]] = []
    if isinstance(key, RSAPublicKey):
        if alg in (None, "rsa-v1_5-sha256"):
            checks.append(lambda: key.verify(signature, base, padding.PKCS1v15(), hashes.SHA256()))
        if alg in (None, "rsa-pss-sha512"):
            checks.append(lambda: key.verify(signature, base, _PSS, hashes.SHA512()))
    elif isinstance(key, Ed25519PublicKey) and alg in (None, "ed25519"):
        checks.append(lambda: key.verify(signature, base))
    for check in checks:
        try:
            check()
        except InvalidSignature:
            continue
        return True
    return False


def _derived(name: str, request: RequestParts) -> str:
    path, _, query = request.target.partition("?")
    authority = normalize_authority(request.authority, request.scheme)
    values = {
        "@method": request.method,
        "@target-uri": f"{request.scheme.lower()}://{authority}{request.target}",
        "@authority": authority,
        "@scheme": request.scheme.lower(),
        "@request-target": request.target,
        "@path": path or "/",
        "@query": f"?{query}",
    }
    if name not in values:
        raise SignatureError(f"The component {shown(name)} is not supported.")
    return values[name]


def _shortfall(names: set[str], body: bytes) -> str:
    """What a signature covering `names` misses to be accepted ("" when nothing)."""
    missing = []
    if "@method" not in names:
        missing.append("@method")
    path = "@path" in names or "@request-target" in names
    if "@target-uri" not in names and not ("@authority" in names and path):
        missing.append("@target-uri")
    if body and "content-digest" not in names and "digest" not in names:
        missing.append("content-digest")
    return ", ".join(missing)


def _component_name(component: object) -> str:
    name = component[0] if isinstance(component, tuple) else component
    if not isinstance(name, str):
        raise SignatureError("The Signature-Input header is malformed.")
    return name


def _dictionary(value: str, header: str) -> dict[str, object]:
    try:
        parsed = http_sf.parse(value.encode("ascii"), tltype="dictionary")
    except (http_sf.StructuredFieldError, ValueError, UnicodeEncodeError):
        raise SignatureError(f"The {header} header is malformed.") from None
    if not isinstance(parsed, dict):
        raise SignatureError(f"The {header} header is malformed.")
    return dict(parsed)
