"""The whole account lifecycle driven by Mastodon.py (the PyPI client, unmodified)."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import requests
from mastodon import Mastodon, MastodonAPIError

from support.api import PASSWORD, confirm, register, unique
from support.images import animated_gif, png, size_of
from support.server import RunningServer

SCOPES = ["read", "write", "follow", "push"]


def new_client(server: RunningServer) -> Mastodon:
    client_id, client_secret = Mastodon.create_app(
        "tandem e2e", scopes=SCOPES, api_base_url=server.base_url
    )
    return Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server.base_url)


def sign_up(server: RunningServer) -> tuple[Mastodon, str, str]:
    """create_account, then confirm the address from the e-mail, then log in by password."""
    masto = new_client(server)
    username = unique("mpy")
    email = f"{username}@example.org"
    masto.create_account(username, PASSWORD, email, agreement=True, scopes=SCOPES)
    confirm(server, email)
    masto.log_in(username=email, password=PASSWORD, scopes=SCOPES, allow_http=True)
    return masto, username, email


def test_sign_up_log_in_and_profile(server: RunningServer, tmp_path: Path) -> None:
    masto, username, _email = sign_up(server)
    me = masto.account_verify_credentials()
    assert me.username == username
    assert me.acct == username
    assert me.url == f"{server.base_url}/@{username}"
    assert me.source.privacy == "public"

    avatar = tmp_path / "avatar.gif"
    avatar.write_bytes(animated_gif(600, 500))
    header = tmp_path / "header.png"
    header.write_bytes(png(3000, 1000))
    updated = masto.account_update_credentials(
        display_name="Mastodon Py",
        note="Hello #tandem, see https://example.com/a",
        avatar=str(avatar),
        header=str(header),
        fields=[("Pronouns", "they/them"), ("Site", "https://example.com")],
        default_privacy="unlisted",
        default_sensitive=True,
        default_language="en",
    )
    assert updated.display_name == "Mastodon Py"
    assert 'href="' + server.base_url + '/tags/tandem"' in updated.note
    assert updated.source.note == "Hello #tandem, see https://example.com/a"
    assert [f.name for f in updated.fields] == ["Pronouns", "Site"]
    assert updated.fields[1].value.startswith('<a href="https://example.com"')
    assert updated.source.privacy == "unlisted"
    assert updated.source.sensitive is True
    assert updated.source.language == "en"
    # The GIF avatar is cropped to a square and gets a static first frame.
    assert updated.avatar != updated.avatar_static
    assert updated.avatar_static.endswith(".png")
    gif = httpx.get(updated.avatar).content
    assert size_of(gif) == (400, 400)
    assert size_of(httpx.get(updated.header).content) == (1500, 500)

    profile = masto.profile()
    assert profile.display_name == "Mastodon Py"
    assert profile.note == "Hello #tandem, see https://example.com/a"
    masto.profile_update(show_media=False, locked=True)
    assert masto.profile().show_media is False
    assert masto.account_delete_avatar().avatar.endswith("/avatars/original/missing.png")


def test_follow_locked_account_then_approve(server: RunningServer) -> None:
    masto, _username, _ = sign_up(server)
    locked = register(server, locked=True)
    locked_masto = locked.mastodon()
    target = masto.account_lookup(locked.username)

    rel = masto.account_follow(target.id)
    assert rel.following is False
    assert rel.requested is True

    requests_ = locked_masto.follow_requests()
    assert [a.id for a in requests_] == [masto.me().id]
    rel = locked_masto.follow_request_authorize(requests_[0].id)
    assert rel.followed_by is True
    assert masto.account_relationships(target.id)[0].following is True


def test_post_block_mute_endorse_note_and_search(server: RunningServer) -> None:
    masto, _username, _ = sign_up(server)
    friend = register(server, display_name="Friendly Person")
    status = masto.status_post("first post from mastodon.py")
    assert status.content == "<p>first post from mastodon.py</p>"
    assert masto.me().statuses_count == 1

    masto.account_follow(friend.id)
    rel = masto.account_endorse(friend.id)
    assert rel.endorsed is True
    rel = masto.account_note_set(friend.id, "met at the conference")
    assert rel.note == "met at the conference"

    rel = masto.account_mute(friend.id, duration=3600)
    assert rel.muting is True
    assert rel.muting_notifications is True
    assert rel.muting_expires_at is not None
    rel = masto.account_unmute(friend.id)
    assert rel.muting is False

    rel = masto.account_block(friend.id)
    assert rel.blocking is True
    assert rel.following is False
    assert rel.endorsed is False
    rel = masto.account_unblock(friend.id)
    assert rel.blocking is False

    found = masto.account_search("Friendly")
    assert friend.username in [a.username for a in found]
    assert masto.account_lookup(f"@{friend.username}").id == friend.id
    assert masto.account(friend.id).username == friend.username
    assert [s.id for s in masto.account_statuses(masto.me().id)] == [status.id]


def test_followers_paging_with_link_headers(server: RunningServer) -> None:
    star = register(server)
    fans = [register(server) for _ in range(5)]
    for fan in fans:
        assert fan.api.post(f"/api/v1/accounts/{star.id}/follow").status_code == 200
    masto = star.mastodon()
    seen: list[str] = []
    page = masto.account_followers(star.id, limit=2)
    while page:
        assert len(page) <= 2
        seen.extend(a.id for a in page)
        page = masto.fetch_next(page)
    assert sorted(seen) == sorted(f.id for f in fans)
    assert seen == [f.id for f in reversed(fans)]  # newest follower first


def test_oauth_code_flow_through_the_login_page(server: RunningServer) -> None:
    user = register(server)
    masto = new_client(server)
    url = masto.auth_request_url(scopes=["read", "write"], allow_http=True)
    web = requests.Session()
    page = web.get(url)
    assert page.status_code == 200
    assert 'name="password"' in page.text
    form = {
        k: html.unescape(v)
        for k, v in re.findall(r'name="(csrf|return_to)" value="([^"]*)"', page.text)
    }
    page = web.post(
        f"{server.base_url}/auth/sign_in",
        data={**form, "login": user.email, "password": PASSWORD},
    )
    assert page.status_code == 200
    assert "Authorize" in page.text
    fields = {
        k: html.unescape(v)
        for k, v in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page.text)
    }
    page = web.post(f"{server.base_url}/oauth/authorize", data={**fields, "decision": "approve"})
    code = re.search(r'id="authorization-code">([^<]+)<', page.text)
    assert code, page.text
    masto.log_in(code=code.group(1), scopes=["read", "write"], allow_http=True)
    assert masto.account_verify_credentials().username == user.username
    assert parse_qs(urlsplit(url).query)["client_id"]


def test_wrong_password_is_refused(server: RunningServer) -> None:
    user = register(server)
    masto = new_client(server)
    with pytest.raises(Exception, match="Invalid user name, password"):
        masto.log_in(
            username=user.email, password="not the password", scopes=SCOPES, allow_http=True
        )


def test_unconfirmed_account_is_told_to_confirm(server: RunningServer) -> None:
    masto = new_client(server)
    username = unique("mpy")
    masto.create_account(
        username, PASSWORD, f"{username}@example.org", agreement=True, scopes=SCOPES
    )
    with pytest.raises(MastodonAPIError, match="missing a confirmed e-mail address"):
        masto.account_verify_credentials()
