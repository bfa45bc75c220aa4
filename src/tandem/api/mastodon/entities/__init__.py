"""Mastodon's JSON entities, built from core records."""
