"""HTTP signatures (tandem.federation.signatures): both schemes signed and verified, every
refusal the inbox relies on, and published test vectors (draft-cavage-12 appendix C.2,
RFC 9421 appendix B.2.6) reproduced byte for byte. Pure functions: no server, no database."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import http_sf
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.datastructures import Headers

from tandem.federation import rfc9421
from tandem.federation.digests import check_digests
from tandem.federation.signatures import (
    SignatureError,
    SignedRequest,
    sign_request,
    sign_request_rfc9421,
    verify_request,
)

NOW = datetime(2026, 12, 2, 12, 0, 0, tzinfo=UTC)
URL = "https://remote.example/users/bob/inbox?page=1"
BODY = b'{"type": "Follow", "actor": "https://local.example/users/alice"}'
KEY_ID = "https://local.example/users/alice#main-key"
Signer = Callable[..., dict[str, str]]
SCHEMES: list[Signer] = [sign_request, sign_request_rfc9421]


def _private_pem(key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) -> str:
    encoding, fmt = serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8
    return key.private_bytes(encoding, fmt, serialization.NoEncryption()).decode()


def _public_pem(key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) -> str:
    encoding, fmt = serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    return key.public_key().public_bytes(encoding, fmt).decode()


RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ED_KEY = ed25519.Ed25519PrivateKey.generate()


class Keys:
    """A fetch_key that records its calls: `current` is what a cached lookup returns,
    `fresh` what a refreshed one does."""

    def __init__(self, current: str | None, fresh: str | None = None) -> None:
        self.current, self.fresh = current, fresh if fresh is not None else current
        self.calls: list[tuple[str, bool]] = []

    async def __call__(self, key_id: str, refresh: bool) -> str | None:
        self.calls.append((key_id, refresh))
        return self.fresh if refresh else self.current


def _sign(
    signer: Signer,
    *,
    body: bytes | None = BODY,
    method: str = "POST",
    url: str = URL,
    key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey = RSA_KEY,
    now: datetime = NOW,
) -> dict[str, str]:
    return signer(
        method=method,
        url=url,
        key_id=KEY_ID,
        private_key_pem=_private_pem(key),
        body=body,
        now=now,
        headers={"Content-Type": "application/activity+json"},
    )


def _verify(
    headers: dict[str, str] | Headers,
    *,
    body: bytes = BODY,
    method: str = "POST",
    url: str = URL,
    keys: Keys | None = None,
    now: datetime = NOW,
) -> SignedRequest:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return asyncio.run(
        verify_request(
            method=method,
            target=target,
            authority=parts.netloc,
            headers=headers,
            body=body,
            now=now,
            fetch_key=keys or Keys(_public_pem(RSA_KEY)),
            scheme=parts.scheme,
        )
    )


def _refused(headers: dict[str, str], match: str, **kwargs: object) -> None:
    with pytest.raises(SignatureError, match=match):
        _verify(headers, **kwargs)  # type: ignore[arg-type]


# --- round trips ---


def test_cavage_headers_as_mastodon_sends_them() -> None:
    headers = _sign(sign_request)
    assert headers["Host"] == "remote.example"
    assert headers["Date"] == "Wed, 02 Dec 2026 12:00:00 GMT"
    assert headers["Content-Type"] == "application/activity+json"
    digest = base64.b64encode(hashlib.sha256(BODY).digest()).decode()
    assert headers["Digest"] == f"SHA-256={digest}"
    assert headers["Signature"].startswith(
        f'keyId="{KEY_ID}",algorithm="rsa-sha256",headers="(request-target) host date digest",'
    )
    assert "Digest" not in _sign(sign_request, body=None, method="GET")


def test_rfc9421_headers() -> None:
    headers = _sign(sign_request_rfc9421)
    digest = base64.b64encode(hashlib.sha256(BODY).digest()).decode()
    assert headers["Content-Digest"] == f"sha-256=:{digest}:"
    created = int(NOW.timestamp())
    assert headers["Signature-Input"] == (
        f'sig1=("@method" "@target-uri" "content-digest");created={created};'
        f'keyid="{KEY_ID}";alg="rsa-v1_5-sha256"'
    )
    assert headers["Signature"].startswith("sig1=:")
    get = _sign(sign_request_rfc9421, body=None, method="GET")
    assert "Content-Digest" not in get
    assert get["Signature-Input"].startswith('sig1=("@method" "@target-uri");')


@pytest.mark.parametrize("signer", SCHEMES)
@pytest.mark.parametrize("body", [BODY, None])
def test_round_trip(signer: Signer, body: bytes | None) -> None:
    method = "POST" if body is not None else "GET"
    keys = Keys(_public_pem(RSA_KEY))
    verified = _verify(
        _sign(signer, body=body, method=method), body=body or b"", method=method, keys=keys
    )
    assert verified.key_id == KEY_ID
    assert verified.scheme == ("cavage" if signer is sign_request else "rfc9421")
    assert verified.created == NOW
    assert keys.calls == [(KEY_ID, False)]


@pytest.mark.parametrize("signer", SCHEMES)
def test_round_trip_ed25519(signer: Signer) -> None:
    headers = _sign(signer, key=ED_KEY)
    assert _verify(headers, keys=Keys(_public_pem(ED_KEY))).key_id == KEY_ID


@pytest.mark.parametrize("signer", SCHEMES)
def test_starlette_headers_and_other_cases(signer: Signer) -> None:
    """Field names are case-insensitive; starlette's Headers is what the inbox passes."""
    headers = _sign(signer)
    assert _verify(Headers(headers=headers)).key_id == KEY_ID
    assert _verify({name.upper(): value for name, value in headers.items()}).key_id == KEY_ID


def test_plain_http_and_ports() -> None:
    url = "http://localhost:8123/inbox"
    for signer in SCHEMES:
        headers = _sign(signer, url=url)
        assert headers["Host"] == "localhost:8123"
        assert _verify(headers, url=url).key_id == KEY_ID
    # a default port is not part of the authority either side
    headers = _sign(sign_request_rfc9421, url="https://remote.example:443/inbox")
    assert headers["Host"] == "remote.example"
    assert _verify(headers, url="https://remote.example/inbox").key_id == KEY_ID


def test_authorization_header_form() -> None:
    headers = _sign(sign_request)
    headers["Authorization"] = "Signature " + headers.pop("Signature")
    assert _verify(headers).scheme == "cavage"


def test_hs2019_and_absent_algorithm() -> None:
    headers = _sign(sign_request)
    hs2019 = dict(headers, Signature=headers["Signature"].replace("rsa-sha256", "hs2019"))
    assert _verify(hs2019).key_id == KEY_ID
    absent = dict(headers, Signature=headers["Signature"].replace('algorithm="rsa-sha256",', ""))
    assert _verify(absent).key_id == KEY_ID


def test_pkcs1_public_key() -> None:
    pkcs1 = (
        RSA_KEY.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
        .decode()
    )
    assert "BEGIN RSA PUBLIC KEY" in pkcs1
    for signer in SCHEMES:
        assert _verify(_sign(signer), keys=Keys(pkcs1)).key_id == KEY_ID


def test_replay_key() -> None:
    """The same request twice has the same replay key; another signature another."""
    for signer in SCHEMES:
        headers = _sign(signer)
        first, second = _verify(headers), _verify(headers)
        assert first.replay_key == second.replay_key
        assert len(first.replay_key) == 64
        later = _sign(signer, now=NOW + timedelta(seconds=1))
        assert _verify(later).replay_key != first.replay_key


# --- refusals ---


@pytest.mark.parametrize("signer", SCHEMES)
def test_tampered_body(signer: Signer) -> None:
    headers = _sign(signer)
    _refused(headers, "does not match the body", body=BODY.replace(b"Follow", b"Block"))


def test_tampered_body_with_matching_digest() -> None:
    """A forger who recomputes the digest still lacks the signature over it."""
    other = BODY.replace(b"Follow", b"Block")
    headers = _sign(sign_request)
    headers["Digest"] = "SHA-256=" + base64.b64encode(hashlib.sha256(other).digest()).decode()
    _refused(headers, "does not verify", body=other)
    headers = _sign(sign_request_rfc9421)
    digest = base64.b64encode(hashlib.sha256(other).digest()).decode()
    headers["Content-Digest"] = f"sha-256=:{digest}:"
    _refused(headers, "does not verify", body=other)


@pytest.mark.parametrize("signer", SCHEMES)
def test_tampered_signed_parts(signer: Signer) -> None:
    headers = _sign(signer)
    _refused(headers, "does not verify", url="https://remote.example/users/carol/inbox?page=1")
    _refused(headers, "does not verify", method="PUT")
    _refused(headers, "does not verify", url="https://elsewhere.example/users/bob/inbox?page=1")


def test_tampered_date() -> None:
    headers = _sign(sign_request)
    _refused(dict(headers, Date="Wed, 02 Dec 2026 12:00:01 GMT"), "does not verify")


@pytest.mark.parametrize("signer", SCHEMES)
def test_wrong_key(signer: Signer) -> None:
    keys = Keys(_public_pem(OTHER_RSA_KEY))
    _refused(_sign(signer), "does not verify", keys=keys)
    assert keys.calls == [(KEY_ID, False), (KEY_ID, True)]


@pytest.mark.parametrize("signer", SCHEMES)
def test_rotated_key(signer: Signer) -> None:
    """The cached key is stale: one refresh brings the new one, and the request passes."""
    keys = Keys(_public_pem(OTHER_RSA_KEY), fresh=_public_pem(RSA_KEY))
    assert _verify(_sign(signer), keys=keys).key_id == KEY_ID
    assert keys.calls == [(KEY_ID, False), (KEY_ID, True)]


def test_unknown_or_unusable_key() -> None:
    keys = Keys(None)
    _refused(_sign(sign_request), "could not be found", keys=keys)
    assert keys.calls == [(KEY_ID, False)]
    _refused(_sign(sign_request), "does not verify", keys=Keys("not a key"))
    # an Ed25519 key cannot verify a signature that says rsa-sha256
    _refused(_sign(sign_request), "does not verify", keys=Keys(_public_pem(ED_KEY)))


@pytest.mark.parametrize("signer", SCHEMES)
@pytest.mark.parametrize("hours", [2, -2])
def test_clock(signer: Signer, hours: int) -> None:
    """A signature more than an hour old, or an hour ahead, is refused."""
    headers = _sign(signer)
    _refused(headers, "expired", now=NOW + timedelta(hours=hours))
    assert _verify(headers, now=NOW + timedelta(minutes=59 if hours > 0 else -59))


def test_custom_max_skew() -> None:
    headers = _sign(sign_request)
    with pytest.raises(SignatureError, match="expired"):
        asyncio.run(
            verify_request(
                method="POST",
                target="/users/bob/inbox?page=1",
                authority="remote.example",
                headers=headers,
                body=BODY,
                now=NOW + timedelta(minutes=6),
                fetch_key=Keys(_public_pem(RSA_KEY)),
                max_skew=timedelta(minutes=5),
            )
        )


@pytest.mark.parametrize("signer", SCHEMES)
def test_body_without_digest(signer: Signer) -> None:
    """Signed without a body (so without a digest), then sent with one."""
    headers = _sign(signer, body=None)
    expected = "digest" if signer is sign_request else "content-digest"
    _refused(headers, f"does not cover {expected}")
    digest = base64.b64encode(hashlib.sha256(BODY).digest()).decode()
    _refused(dict(headers, Digest=f"SHA-256={digest}"), f"does not cover {expected}")


def test_missing_digest_header() -> None:
    headers = _sign(sign_request)
    del headers["Digest"]
    _refused(headers, "digest is missing")


def test_cavage_coverage() -> None:
    headers = _sign(sign_request, body=None, method="GET")
    for dropped, name in [("(request-target) ", "request-target"), ("host ", "host")]:
        value = headers["Signature"].replace(dropped, "", 1)
        _refused(dict(headers, Signature=value), name, body=b"", method="GET")
    value = headers["Signature"].replace(' date"', '"')
    _refused(dict(headers, Signature=value), "does not cover date", body=b"", method="GET")
    value = headers["Signature"].replace('headers="(request-target) host date",', "")
    _refused(dict(headers, Signature=value), "does not cover", body=b"", method="GET")


def test_unknown_algorithm() -> None:
    headers = _sign(sign_request)
    for algorithm in ("hmac-sha256", "rsa-sha1", "ecdsa-sha256"):
        value = headers["Signature"].replace("rsa-sha256", algorithm)
        _refused(dict(headers, Signature=value), "algorithm is not supported")
    value = _sign(sign_request_rfc9421)["Signature-Input"].replace("rsa-v1_5-sha256", "hmac-sha256")
    _refused(dict(_sign(sign_request_rfc9421), **{"Signature-Input": value}), "not supported")


def test_not_signed_or_malformed() -> None:
    plain = {"Host": "remote.example", "Date": "Wed, 02 Dec 2026 12:00:00 GMT"}
    _refused(plain, "not signed")
    _refused(dict(plain, Authorization="Bearer abc"), "not signed")
    _refused(dict(plain, Signature="nonsense"), "malformed", body=b"")
    _refused(dict(plain, Signature='keyId="k",signature="%%%"'), "base64", body=b"")
    headers = _sign(sign_request_rfc9421)
    _refused(dict(headers, **{"Signature-Input": "sig1=(("}), "malformed")
    _refused(dict(headers, Signature="sig1=:AAAA"), "malformed")
    _refused(dict(headers, Signature="sig2=:AAAA:"), "no signature for the label")
    _refused(dict(_sign(sign_request), Date="yesterday"), "Date header is malformed")


# --- RFC 9421 parameters and components, signed here by hand ---


def _sign_9421(
    components: list[str],
    params: dict[str, object],
    *,
    body: bytes = BODY,
    url: str = URL,
    key: rsa.RSAPrivateKey = RSA_KEY,
    label: str = "sig1",
) -> dict[str, str]:
    """Headers of a request signed over exactly `components` with exactly `params`."""
    parts = urlsplit(url)
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    headers = {
        "host": parts.netloc,
        "content-digest": f"sha-256=:{digest}:",
        "content-type": "application/activity+json",
    }
    member = ([(name, {}) for name in components], params)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    request = rfc9421.RequestParts("POST", target, parts.netloc, parts.scheme)
    try:
        base = rfc9421.signature_base(member, request, headers)  # type: ignore[arg-type]
    except SignatureError:
        base = b"no base can be built: the verifier must refuse before checking the signature"
    if params.get("alg") == "rsa-pss-sha512":
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=64)
        signature = key.sign(base, pss, hashes.SHA512())
    else:
        signature = key.sign(base, padding.PKCS1v15(), hashes.SHA256())
    headers["signature-input"] = http_sf.ser({label: member})  # type: ignore[dict-item]
    headers["signature"] = http_sf.ser({label: (signature, {})})
    return headers


CREATED = int(NOW.timestamp())
FULL = ["@method", "@target-uri", "content-digest"]


def test_rfc9421_components_and_params() -> None:
    split = ["@method", "@authority", "@path", "@query", "content-digest", "content-type"]
    signed = _sign_9421(split, {"created": CREATED, "keyid": KEY_ID, "nonce": "abc"}, label="x")
    assert _verify(signed).scheme == "rfc9421"
    request_target = ["@method", "@authority", "@request-target", "content-digest"]
    assert _verify(_sign_9421(request_target, {"created": CREATED, "keyid": KEY_ID}))
    pss = {"created": CREATED, "keyid": KEY_ID, "alg": "rsa-pss-sha512"}
    assert _verify(_sign_9421(FULL, pss)).key_id == KEY_ID
    # without alg, the RSA key may have signed either way
    assert _verify(_sign_9421(FULL, {"created": CREATED, "keyid": KEY_ID})).key_id == KEY_ID
    # alg said one thing, the signature is the other
    headers = _sign_9421(FULL, pss)
    lying = headers["signature-input"].replace("rsa-pss-sha512", "rsa-v1_5-sha256")
    _refused(dict(headers, **{"signature-input": lying}), "does not verify")


def test_rfc9421_refusals() -> None:
    base = {"created": CREATED, "keyid": KEY_ID}
    _refused(_sign_9421(["@target-uri", "content-digest"], base), "does not cover @method")
    _refused(_sign_9421(["@method", "@authority", "content-digest"], base), "@target-uri")
    _refused(_sign_9421(["@method", "@target-uri"], base), "does not cover content-digest")
    _refused(_sign_9421(FULL, {"keyid": KEY_ID}), "no created")
    _refused(_sign_9421(FULL, {"created": CREATED}), "no keyid")
    _refused(_sign_9421(FULL, {**base, "expires": CREATED - 1}), "expired")
    assert _verify(_sign_9421(FULL, {**base, "expires": CREATED + 60}))
    _refused(_sign_9421([*FULL, "x-missing"], base), "x-missing is missing")
    _refused(_sign_9421([*FULL, "@status"], base), "not supported")
    _refused(_sign_9421([*FULL, "@method"], base), "twice")
    # the first label that covers enough is the one checked
    weak = _sign_9421(["@method"], base, label="weak")
    strong = _sign_9421(FULL, base, label="strong")
    both = {
        **strong,
        "signature-input": f"{weak['signature-input']}, {strong['signature-input']}",
        "signature": f"{weak['signature']}, {strong['signature']}",
    }
    assert _verify(both).key_id == KEY_ID


# --- digests ---


def test_digests() -> None:
    sha256 = base64.b64encode(hashlib.sha256(BODY).digest()).decode()
    sha512 = base64.b64encode(hashlib.sha512(BODY).digest()).decode()
    check_digests({"digest": f"SHA-256={sha256}"}, BODY)
    check_digests({"digest": f"sha-512={sha512}"}, BODY)
    check_digests({"digest": f"MD5=abc, SHA-256={sha256}"}, BODY)
    check_digests({"content-digest": f"sha-512=:{sha512}:"}, BODY)
    check_digests({"content-digest": f"sha-256=:{sha256}:, sha-512=:{sha512}:"}, BODY)
    check_digests({}, b"")
    refusals = [
        ({}, "no Digest or Content-Digest"),
        ({"digest": f"SHA-512={sha256}"}, "does not match"),
        ({"digest": f"SHA-256={sha256}, SHA-512={sha256}"}, "does not match"),
        ({"digest": "MD5=abc"}, "no supported algorithm"),
        ({"digest": "SHA-256=%%%"}, "malformed"),
        ({"content-digest": f"sha-256={sha256}"}, "malformed"),
        ({"content-digest": f"sha-512=:{sha256}:"}, "does not match"),
        ({"digest": f"SHA-256={sha256}", "content-digest": f"sha-256=:{sha512}:"}, "match"),
    ]
    for fields, match in refusals:
        with pytest.raises(SignatureError, match=match):
            check_digests(fields, BODY)


# --- published test vectors ---

# draft-cavage-http-signatures-12, appendix C: the "Test" key and the C.2 "Basic Test"
CAVAGE_PRIVATE = """-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QF
NUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+F
UR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB
AoGBAJR8ZkCUvx5kzv+utdl7T5MnordT1TvoXXJGXK7ZZ+UuvMNUCdN2QPc4sBiA
QWvLw1cSKt5DsKZ8UETpYPy8pPYnnDEz2dDYiaew9+xEpubyeW2oH4Zx71wqBtOK
kqwrXa/pzdpiucRRjk6vE6YY7EBBs/g7uanVpGibOVAEsqH1AkEA7DkjVH28WDUg
f1nqvfn2Kj6CT7nIcE3jGJsZZ7zlZmBmHFDONMLUrXR/Zm3pR5m0tCmBqa5RK95u
412jt1dPIwJBANJT3v8pnkth48bQo/fKel6uEYyboRtA5/uHuHkZ6FQF7OUkGogc
mSJluOdc5t6hI1VsLn0QZEjQZMEOWr+wKSMCQQCC4kXJEsHAve77oP6HtG/IiEn7
kpyUXRNvFsDE0czpJJBvL/aRFUJxuRK91jhjC68sA7NsKMGg5OXb5I5Jj36xAkEA
gIT7aFOYBFwGgQAQkWNKLvySgKbAZRTeLBacpHMuQdl1DfdntvAyqpAZ0lY0RKmW
G6aFKaqQfOXKCyWoUiVknQJAXrlgySFci/2ueKlIE1QqIiLSZ8V8OlpFLRnb1pzI
7U1yQXnTAEFYM560yJlzUpOb1V4cScGd365tiSMvxLOvTA==
-----END RSA PRIVATE KEY-----"""
CAVAGE_PUBLIC = """-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3
6rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6
Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJw
oYi+1hqp1fIekaxsyQIDAQAB
-----END PUBLIC KEY-----"""
CAVAGE_C2 = (
    "qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iicw3"
    "HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0="
)
CAVAGE_DATE = datetime(2014, 1, 5, 21, 31, 40, tzinfo=UTC)
CAVAGE_URL = "http://example.com/foo?param=value&pet=dog"
CAVAGE_BODY = b'{"hello": "world"}'


def test_draft_cavage_basic_test_vector() -> None:
    """Signing C.2's request reproduces C.2's signature exactly (RSA PKCS#1 v1.5 is
    deterministic), and the C.2 header verifies."""
    headers = sign_request(
        method="POST",
        url=CAVAGE_URL,
        key_id="Test",
        private_key_pem=CAVAGE_PRIVATE,
        now=CAVAGE_DATE,
    )
    assert headers["Date"] == "Sun, 05 Jan 2014 21:31:40 GMT"
    assert headers["Signature"] == (
        f'keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",'
        f'signature="{CAVAGE_C2}"'
    )
    assert _verify(headers, body=b"", url=CAVAGE_URL, keys=Keys(CAVAGE_PUBLIC), now=CAVAGE_DATE)
    # C.2 does not cover the Digest, so it cannot carry C.2's body to an inbox
    digest = base64.b64encode(hashlib.sha256(CAVAGE_BODY).digest()).decode()
    assert digest == "X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="
    with_body = dict(headers, Digest=f"SHA-256={digest}")
    with pytest.raises(SignatureError, match="does not cover digest"):
        _verify(
            with_body, body=CAVAGE_BODY, url=CAVAGE_URL, keys=Keys(CAVAGE_PUBLIC), now=CAVAGE_DATE
        )


# RFC 9421 appendix B.1.4 (test-key-ed25519, as JWK d and x) and B.2.6's request and signature
RFC_ED25519_D = "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU"
RFC_ED25519_X = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"
RFC_B26_INPUT = (
    'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");'
    'created=1618884473;keyid="test-key-ed25519"'
)
RFC_B26_SIGNATURE = (
    "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw=="
)
RFC_B26_BASE = (
    '"date": Tue, 20 Apr 2021 02:07:55 GMT\n'
    '"@method": POST\n'
    '"@path": /foo\n'
    '"@authority": example.com\n'
    '"content-type": application/json\n'
    '"content-length": 18\n'
    '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" '
    '"content-length");created=1618884473;keyid="test-key-ed25519"'
)
RFC_B2_HEADERS = {
    "Host": "example.com",
    "Date": "Tue, 20 Apr 2021 02:07:55 GMT",
    "Content-Type": "application/json",
    "Content-Length": "18",
    "Signature-Input": RFC_B26_INPUT,
    "Signature": f"sig-b26=:{RFC_B26_SIGNATURE}:",
}
RFC_NOW = datetime(2021, 4, 20, 2, 7, 55, tzinfo=UTC)


def _unb64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def test_rfc9421_ed25519_test_vector() -> None:
    """B.2.6: the signature base is the RFC's, our Ed25519 signature over it is the RFC's
    (Ed25519 is deterministic), and verify_request accepts the RFC's request."""
    private = ed25519.Ed25519PrivateKey.from_private_bytes(_unb64url(RFC_ED25519_D))
    public = ed25519.Ed25519PublicKey.from_public_bytes(_unb64url(RFC_ED25519_X))
    assert private.public_key() == public
    fields = {name.lower(): value for name, value in RFC_B2_HEADERS.items()}
    prepared = rfc9421.prepare(
        method="POST",
        target="/foo?param=Value&Pet=dog",
        authority="example.com",
        scheme="https",
        fields=fields,
        body=b"",
        now=RFC_NOW,
        max_skew=timedelta(hours=1),
    )
    assert prepared.base == RFC_B26_BASE.encode()
    assert base64.b64encode(private.sign(prepared.base)).decode() == RFC_B26_SIGNATURE
    public_pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    verified = asyncio.run(
        verify_request(
            method="POST",
            target="/foo?param=Value&Pet=dog",
            authority="example.com",
            headers=RFC_B2_HEADERS,
            body=b"",
            now=RFC_NOW,
            fetch_key=Keys(public_pem),
        )
    )
    assert verified == SignedRequest(
        key_id="test-key-ed25519",
        scheme="rfc9421",
        created=datetime(2021, 4, 20, 2, 7, 53, tzinfo=UTC),
        replay_key=hashlib.sha256(base64.b64decode(RFC_B26_SIGNATURE)).hexdigest(),
    )
    # B.2.6 does not cover the Content-Digest, so it cannot carry the body to an inbox
    with pytest.raises(SignatureError, match="does not cover content-digest"):
        asyncio.run(
            verify_request(
                method="POST",
                target="/foo?param=Value&Pet=dog",
                authority="example.com",
                headers=RFC_B2_HEADERS,
                body=CAVAGE_BODY,
                now=RFC_NOW,
                fetch_key=Keys(public_pem),
            )
        )


# --- cavage (created), and garbage in any header ---


def _cavage_created(
    created: str, *, covered: str = "(request-target) host (created)"
) -> dict[str, str]:
    """A GET signed by hand over `covered`, with a (created) parameter of `created`."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    values = {"(request-target)": "get /users/bob", "host": "remote.example", "(created)": created}
    data = "\n".join(f"{name}: {values[name]}" for name in covered.split()).encode()
    signature = base64.b64encode(RSA_KEY.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode()
    return {
        "Host": "remote.example",
        "Signature": f'keyId="{KEY_ID}",algorithm="hs2019",created={created},'
        f'headers="{covered}",signature="{signature}"',
    }


def test_cavage_created_parameter() -> None:
    url = "https://remote.example/users/bob"
    created = str(CREATED - 30)
    verified = _verify(_cavage_created(created), body=b"", method="GET", url=url)
    assert verified.created == NOW - timedelta(seconds=30)
    old = str(CREATED - 7200)
    _refused(_cavage_created(old), "expired", body=b"", method="GET", url=url)
    for bad in ("99999999999999999999", "1e9"):
        _refused(_cavage_created(bad), "malformed|without a value", body=b"", method="GET", url=url)


header_text = st.text(alphabet=st.characters(codec="latin-1"), max_size=120)


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from(
        ["Signature", "Signature-Input", "Digest", "Content-Digest", "Date", "Authorization"]
    ),
    value=header_text,
    scheme=st.sampled_from(SCHEMES),
)
def test_garbage_headers_only_refuse(name: str, value: str, scheme: Signer) -> None:
    """Whatever a sender puts in a header, the answer is a verified request or a
    SignatureError, never another exception (which would be a 500)."""
    headers = dict(_SIGNED[scheme], **{name: value})
    try:
        outcome = _verify(headers).key_id
    except SignatureError as err:
        outcome = str(err)
    assert outcome


_SIGNED = {signer: _sign(signer) for signer in SCHEMES}
