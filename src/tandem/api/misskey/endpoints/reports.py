"""Reporting a user to the moderators (Misskey's users/report-abuse): the same reports the
Mastodon dialect files (core/reports.py)."""

from __future__ import annotations

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.schema import REQ_ID, P
from tandem.core import reports

_ERRORS = {
    "not_found:account": e.err(
        "NO_SUCH_USER", "No such user.", "1acefcb5-0959-43fd-9685-b48305736cb5"
    ),
    "CANNOT_REPORT_YOURSELF": e.err(
        "CANNOT_REPORT_YOURSELF",
        "Cannot report yourself.",
        "1e13149e-b1e8-43cf-902e-c01dbfcb202f",
    ),
    "CANNOT_REPORT_THE_ADMIN": e.err(
        "CANNOT_REPORT_THE_ADMIN",
        "Cannot report the admin.",
        "35e166f5-05fb-4f87-a2d5-adb42676d48f",
    ),
}


@endpoint(
    "users/report-abuse",
    kind="write:report-abuse",
    params={
        "userId": REQ_ID,
        "comment": P("string", required=True, min_length=1, max_length=reports.MISSKEY_MAX_COMMENT),
    },
    errors=_ERRORS,
)
async def report_abuse(call: Call) -> None:
    """File a report (answered 204); nobody reports themselves or an administrator."""
    await reports.file(
        call.db,
        call.account,
        call.params["userId"],
        comment=call.params["comment"],
        refuse_self_and_admins=True,
        max_comment=reports.MISSKEY_MAX_COMMENT,
    )
