"""A timeline page runs a small constant number of statements, whatever its size.

The reader follows several accounts that post, reply, reblog and attach nothing or mention
people, so a query per status, per author or per reblog would show as a difference between
a page of 2 and a page of 30.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from support.api import User, register
from support.misskey import Misskey, mk_user
from support.server import RunningServer

# The most statements a page may run (measured, SQLite and PostgreSQL alike). Home: the feed
# page, its tags, mentions and media, the reblogged originals with theirs, authors, apps,
# what the viewer did to them (reblogged / pinned / bookmarked: one statement), the viewer's
# filters in force. The caller's own reads come from the caches.
HOME = 12
# Public: no reblogs on it, so no originals to load and decorate (the filters are read too).
PUBLIC = 8
# Misskey's home: its word mutes are read instead of the filters.
MISSKEY_HOME = 12


@pytest.fixture(scope="module")
def counting(backend: str) -> Iterator[RunningServer]:
    server = RunningServer(backend, report_statement_count=True).start()
    try:
        yield server
    finally:
        server.close()


def _count(send: Callable[[], httpx.Response]) -> int:
    send()
    send()  # warm: the token's first use and the caches are out of the figure
    response = send()
    assert response.status_code == 200, response.text
    return int(response.headers["x-statement-count"])


def _fill(server: RunningServer) -> tuple[User, list[User]]:
    reader = register(server)
    authors = [register(server) for _ in range(4)]
    stranger = register(server)  # whose posts authors[0] reblogs (the reader has none to fold)
    for author in authors:
        assert reader.api.post(f"/api/v1/accounts/{author.id}/follow").status_code == 200
    previous: str | None = None
    for round_ in range(8):
        for author in authors:
            data = {"status": f"#round{round_} post by @{reader.username}"}
            if previous and round_ % 3 == 0:
                data["in_reply_to_id"] = previous
            made = author.api.post("/api/v1/statuses", data=data).json()
            previous = made["id"]
            if round_ % 2:
                other = stranger.api.post("/api/v1/statuses", data={"status": "more"}).json()
                authors[0].api.post(f"/api/v1/statuses/{other['id']}/reblog")
    return reader, authors


def test_home_page_is_constant(counting: RunningServer) -> None:
    reader, _ = _fill(counting)
    small = _count(lambda: reader.api.get("/api/v1/timelines/home", params={"limit": 2}))
    large = _count(lambda: reader.api.get("/api/v1/timelines/home", params={"limit": 30}))
    assert len(reader.api.get("/api/v1/timelines/home", params={"limit": 30}).json()) == 30
    assert small == large <= HOME
    public_small = _count(lambda: reader.api.get("/api/v1/timelines/public", params={"limit": 2}))
    public_large = _count(lambda: reader.api.get("/api/v1/timelines/public", params={"limit": 30}))
    assert public_small == public_large <= PUBLIC


def test_misskey_home_page_is_constant(counting: RunningServer) -> None:
    reader = mk_user(counting)
    _, authors = _fill(counting)
    for author in authors:
        reader.mk("following/create", {"userId": author.id})
    for author in authors:
        author.api.post("/api/v1/statuses", data={"status": "one more"})
    # The newest is a reblog, so even a page of 2 has an original to load and decorate (of a
    # status the reader's home does not show: one it shows near the top would fold).
    elsewhere = register(counting).api.post("/api/v1/statuses", data={"status": "x"}).json()
    authors[0].api.post(f"/api/v1/statuses/{elsewhere['id']}/reblog")
    mk = Misskey(counting, reader.token)
    small = _count(lambda: mk.raw("notes/timeline", {"limit": 2}))
    large = _count(lambda: mk.raw("notes/timeline", {"limit": 30}))
    assert small == large <= MISSKEY_HOME
