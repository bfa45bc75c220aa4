"""Exports and imports: requests that queue a background job (at most one an hour each)."""

from __future__ import annotations

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.schema import REQ_ID, P
from tandem.core import exports, imports

HOUR = 3_600_000


def _export(kind: str, params: dict[str, P] | None = None) -> None:
    async def handler(call: Call) -> None:
        await exports.request(call.db, call.account, kind, dict(call.params))

    handler.__doc__ = f"Queue an export of {kind}; a notification says when the file is ready."
    endpoint(f"i/export-{kind}", secure=True, params=params, limit=(HOUR, 1))(handler)


for _kind in exports.KINDS:
    _export(
        _kind,
        {
            "excludeMuting": P("boolean", default=False),
            "excludeInactive": P("boolean", default=False),
        }
        if _kind == "following"
        else None,
    )

_IMPORT_ERRORS = {
    "not_found:file": e.err(
        "NO_SUCH_FILE", "No such file.", "e674141e-bd2a-ba85-e616-aefb187c9c2a"
    ),
    "forbidden": e.err("NO_SUCH_FILE", "No such file.", "e674141e-bd2a-ba85-e616-aefb187c9c2a"),
    "UNEXPECTED_FILE_TYPE": e.err(
        "UNEXPECTED_FILE_TYPE",
        "We need csv file (json for antennas).",
        "660f3599-bce0-4f95-9dde-311fd841c183",
    ),
    "TOO_BIG_FILE": e.err(
        "TOO_BIG_FILE", "That file is too big.", "dee9d4ed-ad07-43ed-8b34-b2856398bc60"
    ),
    "EMPTY_FILE": e.err(
        "EMPTY_FILE", "That file is empty.", "31a1b42c-06f7-42ae-8a38-a661c5c9f691"
    ),
}


def _import(kind: str, params: dict[str, P]) -> None:
    async def handler(call: Call) -> None:
        options = {k: v for k, v in call.params.items() if k != "fileId"}
        await imports.request(call.db, call.account, kind, call.params["fileId"], options)

    handler.__doc__ = f"Queue an import of {kind} from a Drive file."
    endpoint(
        f"i/import-{kind}",
        secure=True,
        params={"fileId": REQ_ID, **params},
        limit=(HOUR, 1),
        errors=_IMPORT_ERRORS,
    )(handler)


for _kind in imports.KINDS:
    _import(_kind, {"withReplies": P("boolean")} if _kind == "following" else {})
