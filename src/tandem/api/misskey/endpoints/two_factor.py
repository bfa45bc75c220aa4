"""Two-factor sign-in with TOTP: register, done, unregister, password-less."""

from __future__ import annotations

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.endpoints.security import CREDENTIAL_ERRORS
from tandem.api.misskey.entities.responses import BackupCodes, TwoFactorRegistration
from tandem.api.misskey.schema import P
from tandem.core import twofactor


@endpoint(
    "i/2fa/register",
    secure=True,
    params={"password": P("string", required=True), "token": P("string", nullable=True)},
    errors=CREDENTIAL_ERRORS,
)
async def register(call: Call) -> TwoFactorRegistration:
    """A new secret; it becomes active when i/2fa/done gets a code made from it."""
    p = call.params
    enrollment = await twofactor.begin(
        call.db, call.settings, call.account, call.user, p["password"], p.get("token")
    )
    return {
        "qr": enrollment.qr,
        "url": enrollment.url,
        "secret": enrollment.secret,
        "label": enrollment.label,
        "issuer": enrollment.issuer,
    }


@endpoint(
    "i/2fa/done",
    secure=True,
    params={"token": P("string", required=True)},
    errors={
        **CREDENTIAL_ERRORS,
        "TWO_FACTOR_NOT_STARTED": e.err(
            "TWO_FACTOR_NOT_STARTED", "Call i/2fa/register first to get a secret."
        ),
    },
)
async def done(call: Call) -> BackupCodes:
    codes = await twofactor.finish(call.db, call.user, call.params["token"])
    return {"backupCodes": codes}


@endpoint(
    "i/2fa/unregister",
    secure=True,
    params={"password": P("string", required=True), "token": P("string", nullable=True)},
    errors=CREDENTIAL_ERRORS,
)
async def unregister(call: Call) -> None:
    p = call.params
    await twofactor.disable(call.db, call.user, p["password"], p.get("token"))


@endpoint(
    "i/2fa/password-less",
    secure=True,
    params={"value": P("boolean", required=True)},
    errors={
        "TWO_FACTOR_REQUIRED": e.err(
            "TWO_FACTOR_REQUIRED", "Turn on two-factor authentication first (i/2fa/register)."
        )
    },
)
async def password_less(call: Call) -> None:
    await twofactor.set_password_less(call.db, call.user, call.params["value"])
