"""Mastodon.py (the PyPI client, unmodified) on announcements, push subscriptions, hashtag
history and trends: the wire shapes it parses into its types (its create_account has no
invite_code: the invitation sign-up is tested over HTTP in test_invite_signup.py)."""

from __future__ import annotations

import pytest
from mastodon import MastodonNotFoundError

from support.api import unique
from support.cli import tandem
from support.server import RunningServer
from test_mastodon_py import sign_up


def test_announcements_through_mastodon_py(server: RunningServer) -> None:
    masto, username, _ = sign_up(server)
    made = tandem(
        server, "admin", "announcement", "create", "Hello", "Read #me", "--user", username
    )
    assert made.returncode == 0
    shown = masto.announcements()
    assert len(shown) == 1
    first = shown[0]
    assert "Hello" in first.content
    assert first.read is False
    assert [t["name"] for t in first.tags] == ["me"]  # {name, url}, as Mastodon's
    masto.announcement_reaction_create(first, "👍")
    assert [(r.name, r.count, r.me) for r in masto.announcements()[0].reactions] == [
        ("👍", 1, True)
    ]
    masto.announcement_reaction_delete(first, "👍")
    assert masto.announcements()[0].reactions == []
    masto.announcement_dismiss(first)
    assert masto.announcements() == []  # one made for a single user ends once read (Misskey)


def test_push_subscription_through_mastodon_py(server: RunningServer) -> None:
    masto, _, _ = sign_up(server)
    private, public = masto.push_subscription_generate_keys()
    assert private["privkey"]
    made = masto.push_subscription_set(
        "https://push.example/mastodon-py",
        public,
        follow_events=True,
        mention_events=True,
        policy="followed",
        standard=True,
    )
    assert made.endpoint == "https://push.example/mastodon-py"
    assert made.alerts.follow is True
    assert made.alerts.favourite is False
    assert made.policy == "followed"
    assert made.server_key == masto.instance_v2().configuration.vapid.public_key
    assert masto.push_subscription().id == made.id
    changed = masto.push_subscription_update(favourite_events=True, policy="all")
    assert changed.alerts.favourite is True
    assert changed.policy == "all"
    masto.push_subscription_delete()
    with pytest.raises(MastodonNotFoundError):
        masto.push_subscription()


def test_hashtag_history_and_trends_through_mastodon_py(server: RunningServer) -> None:
    masto, _, _ = sign_up(server)
    tag = unique("mpytag")
    masto.status_post(f"about #{tag}")
    shown = masto.tag(tag)
    assert shown.name == tag
    assert len(shown.history) == 7
    assert (shown.history[0].uses, shown.history[0].accounts) == ("1", "1")
    masto.tag_follow(tag)
    assert any(t.name == tag for t in masto.followed_tags())
    assert any(t.name == tag for t in masto.featured_tag_suggestions())
    assert isinstance(masto.trending_tags(limit=5), list)
