"""tandem: a fediverse server speaking the Mastodon and Misskey client APIs over one core."""

__version__ = "0.1.0"
# The Mastodon version whose API tandem implements; clients gate features on it.
MASTODON_COMPAT_VERSION = "4.7.0"
MASTODON_API_VERSION = 11
# The Misskey release whose API tandem implements (semver build metadata names tandem).
MISSKEY_COMPAT_VERSION = f"2025.10.0+tandem.{__version__}"
