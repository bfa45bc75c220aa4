"""tandem: a fediverse server speaking the Mastodon and Misskey client APIs over one core."""

__version__ = "0.1.0"
# The Mastodon version whose API tandem implements; clients gate features on it.
MASTODON_COMPAT_VERSION = "4.7.0"
MASTODON_API_VERSION = 11
