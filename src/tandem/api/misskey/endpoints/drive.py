"""Drive: the user's files (avatars, banners, note attachments, imports and exports)."""

from __future__ import annotations

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.drive import drive_file
from tandem.api.misskey.entities.responses import DriveUsage
from tandem.api.misskey.entities.types import DriveFile
from tandem.api.misskey.schema import REQ_ID, P, invalid
from tandem.api.misskey.views import ctx
from tandem.core import drive
from tandem.core.errors import Unprocessable


@endpoint("drive", kind="read:drive")
async def usage(call: Call) -> DriveUsage:
    return {
        "capacity": call.settings.drive_capacity,
        "usage": await drive.usage(call.db, call.account.id),
    }


# Not Misskey's: an animation with too many frames x pixels to process (a 422, as Mastodon).
FILE_TOO_COMPLEX = e.err(
    "FILE_TOO_COMPLEX", "The file is too complex an animation to process.", status=422
)


@endpoint(
    "drive/files/create",
    kind="write:drive",
    file=True,
    params={
        "folderId": P("id", nullable=True),
        "name": P("string", nullable=True, max_length=drive.NAME_LIMIT),
        "comment": P("string", nullable=True, max_length=512),
        "isSensitive": P("boolean", default=False),
        "force": P("boolean", default=False),
    },
    limit=(3_600_000, 120),
    errors={
        "NO_FREE_SPACE": e.err(
            "NO_FREE_SPACE",
            "Cannot upload the file because you have no free space of drive.",
            "b9d8c348-33f0-4673-b9a9-5d4da058977a",
        ),
        "FILE_TOO_COMPLEX": FILE_TOO_COMPLEX,
    },
)
async def create(call: Call) -> DriveFile:
    """Multipart upload: the file part plus optional name, comment and isSensitive."""
    p = call.params
    if call.file is None:
        raise invalid("file", "send the file as a multipart part")
    if p.get("folderId") is not None:
        raise e.err("NO_SUCH_FOLDER", "No such folder (this server keeps no folders).").raise_()
    try:
        media = await drive.add(
            call.db,
            call.settings,
            call.files,
            call.account,
            call.file,
            name=p.get("name"),
            comment=p.get("comment"),
            is_sensitive=p["isSensitive"],
        )
    except Unprocessable as err:
        if err.code != FILE_TOO_COMPLEX.code:
            raise
        raise FILE_TOO_COMPLEX.explained(err.message) from None
    return drive_file(ctx(call), media)


def _file_errors(no_such: str, denied: str) -> dict[str, e.ErrorDef]:
    return {
        "not_found:file": e.err("NO_SUCH_FILE", "No such file.", no_such),
        "forbidden": e.err("ACCESS_DENIED", "Access denied.", denied, status=403),
    }


@endpoint(
    "drive/files/show",
    kind="read:drive",
    params={"fileId": REQ_ID},
    errors=_file_errors(
        "067bc436-2718-4795-b0fb-ecbe43949e31", "25b73c73-68b1-41d0-bad1-381cfdf6579f"
    ),
)
async def show(call: Call) -> DriveFile:
    return drive_file(ctx(call), await drive.own(call.db, call.account, call.params["fileId"]))


@endpoint(
    "drive/files/delete",
    kind="write:drive",
    params={"fileId": REQ_ID},
    errors=_file_errors(
        "908939ec-e52b-4458-b395-1025195cea58", "5eb8d909-2540-4970-90b8-dd6f86088121"
    ),
)
async def delete(call: Call) -> None:
    await drive.delete(call.db, call.files, call.account, call.params["fileId"])
