"""The Mastodon dialect: /api/v1, /api/v2 and OAuth routes, and Mastodon's JSON entities."""
