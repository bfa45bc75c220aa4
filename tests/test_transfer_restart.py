"""Export → import round trip between two accounts, with the server killed mid-job each time.

The server runs as its own process (`python -m tandem serve`) with one entry per batch and a
pause between batches, so each job is still running when the process is killed. After a
restart the job's lease runs out, the worker claims it again, and it resumes from its last
checkpoint: no entry is lost and none is written twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from support.misskey import MkUser, mk_user
from support.server import ServerProcess
from test_misskey_transfers import wait_for_notifications

FOLLOWS, BLOCKS, MUTES = 8, 3, 3
SLOW_JOBS = {
    "job_batch_size": 1,
    "job_batch_pause": 0.25,
    "job_lease_seconds": 2,
    "require_email_confirmation": False,
}


@pytest.fixture
def process(backend: str) -> Iterator[ServerProcess]:
    server = ServerProcess(backend, **SLOW_JOBS).start()
    yield server
    server.kill()
    server.close()


def wait_until(check: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def part_files(server: ServerProcess) -> list[Path]:
    work = server.settings.work_dir
    return list(work.glob("export-*.part")) if work.exists() else []


def export_across_a_restart(server: ServerProcess, user: MkUser, what: str, entity: str) -> bytes:
    before = len(wait_for_notifications(user, "exportCompleted", 0))
    user.mk(f"i/export-{what}")
    # Kill once the file holds some entries but not all of them.
    wait_until(lambda: any(p.stat().st_size > 0 for p in part_files(server)))
    time.sleep(0.3)
    server.kill()
    assert part_files(server), "the export finished before the server was stopped"
    server.start()
    done = wait_for_notifications(user, "exportCompleted", before + 1)[0]
    assert done["exportedEntity"] == entity
    file = user.mk("drive/files/show", {"fileId": done["fileId"]})
    assert part_files(server) == []
    return httpx.get(file["url"]).content


def import_across_a_restart(
    server: ServerProcess,
    user: MkUser,
    what: str,
    content: bytes,
    progress: Callable[[], int],
    total: int,
) -> dict[str, object]:
    file = user.mk.upload(content, f"{what}.csv", "text/csv")
    before = len(wait_for_notifications(user, "app", 0))
    user.mk(f"i/import-{what}", {"fileId": file["id"]})
    wait_until(lambda: progress() >= 1)
    assert progress() < total, "the import finished before the server was stopped"
    server.kill()
    server.start()
    return dict(wait_for_notifications(user, "app", before + 1)[0])


def test_round_trip_survives_restarts(process: ServerProcess) -> None:
    source, target = mk_user(process), mk_user(process)
    others = [mk_user(process) for _ in range(FOLLOWS + BLOCKS + MUTES)]
    followed = others[:FOLLOWS]
    blocked = others[FOLLOWS : FOLLOWS + BLOCKS]
    muted = others[FOLLOWS + BLOCKS :]
    for other in followed:
        source.mk("following/create", {"userId": other.id})
    for other in blocked:
        source.mk("blocking/create", {"userId": other.id})
    for other in muted:
        source.mk("mute/create", {"userId": other.id})
    lists = {"Work": followed[:3], "Family": followed[3:5]}
    for name, members in lists.items():
        made = source.mk("users/lists/create", {"name": name})
        for member in members:
            source.mk("users/lists/push", {"listId": made["id"], "userId": member.id})

    host = process.settings.domain
    following = export_across_a_restart(process, source, "following", "following")
    assert following.decode().splitlines() == [f"{o.username}@{host}" for o in followed]
    blocking = export_across_a_restart(process, source, "blocking", "blocking")
    assert sorted(blocking.decode().splitlines()) == sorted(f"{o.username}@{host}" for o in blocked)
    muting = export_across_a_restart(process, source, "mute", "muting")
    assert sorted(muting.decode().splitlines()) == sorted(f"{o.username}@{host}" for o in muted)
    user_lists = export_across_a_restart(process, source, "user-lists", "userList")
    assert len(user_lists.decode().splitlines()) == 5

    def count(kind: str) -> Callable[[], int]:
        flag = {"following": "isFollowing", "blocking": "isBlocking", "muting": "isMuted"}[kind]
        pool = {"following": followed, "blocking": blocked, "muting": muted}[kind]
        return lambda: sum(
            1 for r in target.mk("users/relation", {"userId": [o.id for o in pool]}) if r[flag]
        )

    done = import_across_a_restart(
        process, target, "following", following, count("following"), FOLLOWS
    )
    assert done["body"] == f"{FOLLOWS} imported, 0 skipped (unknown or unavailable)."
    assert count("following")() == FOLLOWS
    import_across_a_restart(process, target, "blocking", blocking, count("blocking"), BLOCKS)
    assert count("blocking")() == BLOCKS
    import_across_a_restart(process, target, "muting", muting, count("muting"), MUTES)
    assert count("muting")() == MUTES

    def listed() -> int:
        return sum(len(x["userIds"]) for x in target.mk("users/lists/list"))

    import_across_a_restart(process, target, "user-lists", user_lists, listed, 5)
    got = {x["name"]: sorted(x["userIds"]) for x in target.mk("users/lists/list")}
    assert got == {name: sorted(m.id for m in members) for name, members in lists.items()}
    # The Mastodon dialect sees the imported relationships too.
    masto = target.mastodon.api
    rels = masto.get(
        "/api/v1/accounts/relationships", params=[("id[]", o.id) for o in followed + blocked]
    ).json()
    assert all(r["following"] for r in rels[:FOLLOWS])
    assert all(r["blocking"] for r in rels[FOLLOWS:])
