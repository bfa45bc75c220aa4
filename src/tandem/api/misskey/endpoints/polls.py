"""notes/polls/vote: one choice per call (more calls add choices to a multiple-choice poll)."""

from __future__ import annotations

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.schema import REQ_ID, P
from tandem.core import polls


@endpoint(
    "notes/polls/vote",
    kind="write:votes",
    params={"noteId": REQ_ID, "choice": P("integer", required=True)},
    errors={
        "not_found:status": e.err(
            "NO_SUCH_NOTE", "No such note.", "ecafbd2e-c283-4d6d-aecb-1a0a33b75396"
        ),
        "not_found:poll": e.err(
            "NO_SUCH_NOTE", "No such note.", "ecafbd2e-c283-4d6d-aecb-1a0a33b75396"
        ),
        "NO_POLL": e.err(
            "NO_POLL", "The note does not attach a poll.", "5f979967-52d9-4314-a911-1c673727f92f"
        ),
        "INVALID_CHOICE": e.err(
            "INVALID_CHOICE", "Choice ID is invalid.", "e0cc9a04-f2e8-41e4-a5f1-4127293260cc"
        ),
        "ALREADY_VOTED": e.err(
            "ALREADY_VOTED", "You have already voted.", "0963fc77-efac-419b-9424-b391608dc6d8"
        ),
        "ALREADY_EXPIRED": e.err(
            "ALREADY_EXPIRED",
            "The poll is already expired.",
            "1022a357-b085-4054-9083-8f8de358337e",
        ),
        "YOU_HAVE_BEEN_BLOCKED": e.err(
            "YOU_HAVE_BEEN_BLOCKED",
            "You cannot vote this poll because you have been blocked by this user.",
            "85a5377e-b1e9-4617-b0b9-5bea73331e49",
        ),
    },
)
async def vote(call: Call) -> None:
    p = call.params
    await polls.vote(call.db, call.account, [p["choice"]], status_id=p["noteId"])
