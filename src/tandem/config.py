"""Settings: defaults, overridden by a TOML file, overridden by TANDEM_* environment variables."""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

RegistrationMode = Literal["open", "approval", "closed", "invite"]
FederationMode = Literal["blocklist", "allowlist"]
DomainBlocksVisibility = Literal["disabled", "users", "all"]
_STREAMING_URL = re.compile(r"wss?://[A-Za-z0-9.\-]+(:[0-9]+)?")
_MEDIA_URL = re.compile(r"https?://[A-Za-z0-9.\-]+(:[0-9]+)?(/[A-Za-z0-9._~\-/]*)?")


class ConfigError(ValueError):
    """A setting has a value tandem cannot use; the message names the setting."""


@dataclass(frozen=True)
class Throttle:
    limit: int
    period: int  # seconds


# Mastodon's rack-attack numbers (config/initializers/rack_attack.rb).
DEFAULT_THROTTLES: dict[str, Throttle] = {
    "authenticated_api": Throttle(1500, 300),
    "per_token_api": Throttle(300, 300),
    "unauthenticated_api": Throttle(300, 300),
    "api_media": Throttle(30, 1800),
    "api_sign_up": Throttle(5, 1800),
    "authenticated_paging": Throttle(300, 900),
    "unauthenticated_paging": Throttle(300, 900),
    "api_delete": Throttle(30, 1800),
    "app_registrations": Throttle(5, 600),
    "login_attempts": Throttle(25, 300),  # failed sign-ins per IP
    # Failed sign-ins per account, from anywhere: more than one IP's budget, so that one
    # address cannot lock the owner out; four can, for up to an hour (README).
    "login_attempts_account": Throttle(100, 3600),
    "follows": Throttle(400, 86400),
    "statuses": Throttle(300, 10800),
    "reports": Throttle(400, 86400),  # Mastodon's `reports` rate-limit family
}


@dataclass(frozen=True)
class Settings:
    domain: str = "localhost:8000"
    # None: https unless the domain is localhost / 127.0.0.1 (a local development server).
    https: bool | None = None
    data_dir: Path = Path("data")
    # Where user files are served from, e.g. https://media.example.org (serving data_dir/media);
    # empty: <base_url>/system. Another origin keeps uploads away from the sign-in pages.
    media_url: str = ""
    database_url: str = ""  # default: sqlite in data_dir
    redis_url: str = ""  # empty: in-process rate limits and cache
    host: str = "127.0.0.1"
    port: int = 8000
    # Server processes sharing the port (`tandem serve --workers N`); with more than one and
    # no redis_url, rate limits are counted in data_dir/ratelimits.sqlite3 for all of them.
    workers: int = 1
    # A port of its own for the streaming websockets (Misskey /streaming, Mastodon
    # /api/v1/streaming), served by a light listener in each worker; 0: the main port only.
    stream_port: int = 0
    # Where the instance documents tell Mastodon clients to open their streams (Mastodon's
    # STREAMING_API_BASE_URL), e.g. wss://example.org behind a proxy that sends the streaming
    # upgrades to stream_port; empty: ws(s)://<host>:<stream_port> with a stream_port, else
    # ws(s)://<domain>.
    streaming_url: str = ""
    access_log: bool = True  # one line per request (secrets redacted) from `tandem serve`
    instance_title: str = "tandem"
    instance_description: str = "A tandem server"
    contact_email: str = ""  # default: the address mail is sent from
    # The instance's contact account (username); empty: the first owner, else the first admin.
    contact_username: str = ""
    source_url: str = "https://github.com/tandem-social/tandem"  # AGPL: where the code is
    # Moderation of other servers (`tandem admin domain-block` / `domain-allow`): "allowlist"
    # federates only with the listed domains (Mastodon's limited federation mode).
    federation_mode: FederationMode = "blocklist"
    # Who sees /api/v1/instance/domain_blocks, and its public comments (Mastodon's settings).
    show_domain_blocks: DomainBlocksVisibility = "disabled"  # Mastodon's default
    show_domain_blocks_rationale: DomainBlocksVisibility = "disabled"
    registrations: RegistrationMode = "open"
    require_email_confirmation: bool = True
    require_invite_text: bool = False
    min_age: int = 0  # 0: no date of birth asked
    email_domain_blocklist: tuple[str, ...] = ()
    reserved_usernames: tuple[str, ...] = ()
    # Limits (Mastodon 4.7 defaults).
    max_display_name_length: int = 40
    max_note_length: int = 500
    max_profile_fields: int = 4
    profile_field_name_limit: int = 255
    profile_field_value_limit: int = 255
    max_image_size: int = 8 * 1024 * 1024
    max_media_size: int = 16 * 1024 * 1024
    max_video_size: int = 99 * 1024 * 1024  # video and audio (Mastodon's MAX_VIDEO_SIZE)
    drive_capacity: int = 100 * 1024 * 1024  # per user, as Misskey's default policy
    max_status_characters: int = 500
    max_media_attachments: int = 4
    max_pinned_statuses: int = 5
    # How far ahead a scheduled status must be (Mastodon: 5 minutes; tests lower it).
    schedule_min_ahead_seconds: float = 300.0
    max_featured_tags: int = 10
    max_follows: int = 7500
    rate_limits_enabled: bool = True
    # Reverse proxies (CIDRs) whose X-Forwarded-For names the real client; empty: none.
    trusted_proxies: tuple[str, ...] = ()
    endpoint_limit_factor: float = 1.0  # scales Misskey's per-endpoint limits
    throttles: dict[str, Throttle] = field(default_factory=lambda: dict(DEFAULT_THROTTLES))
    # Outgoing mail; without smtp_host mail is written to data_dir/outbox.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    smtp_starttls: bool = True
    secret_key: str = ""  # signs web sessions; generated into data_dir when empty
    job_poll_interval: float = 1.0
    # A job whose worker stopped is picked up again once its lease runs out.
    job_lease_seconds: float = 300.0
    job_batch_size: int = 100  # rows an export or import handles between checkpoints
    job_batch_pause: float = 0.0  # seconds between batches, to leave room for requests
    job_retry_base_seconds: float = 10.0  # a failed job waits this, doubling each attempt
    # Allow fetching http(s) URLs on loopback (link verification) — for tests and local setups.
    allow_loopback_fetch: bool = False
    # Mastodon's secure mode: actors, collections and posts are served to signed requests only.
    authorized_fetch: bool = False
    # Deliveries sent at once by each process's job worker (ActivityPub fan-out).
    delivery_concurrency: int = 8
    delivery_process: bool = False  # `tandem serve` runs deliveries in a process of their own
    # A failed delivery waits this, tripling each attempt (at most a day; 14 attempts: about a
    # week); a server failing this many deliveries in a row is paused, first for
    # delivery_breaker_pause_seconds, doubling while it keeps failing.
    delivery_retry_base_seconds: float = 15.0
    delivery_breaker_threshold: int = 8
    delivery_breaker_pause_seconds: float = 60.0
    # Answer every request with X-Statement-Count, the SQL statements it ran (tests, profiling).
    report_statement_count: bool = False
    # Tests only: Argon2id with 1 pass over 8 MiB instead of 3 over 64 MiB, so the suite's
    # thousands of sign-ups do not spend its time hashing. Never in production: a password
    # hashed so is rehashed with the full cost at its next sign-in on a server without it.
    fast_password_hashing: bool = False

    @property
    def scheme(self) -> str:
        if self.https is not None:
            return "https" if self.https else "http"
        host = self.domain.split(":")[0]
        return "http" if host in ("localhost", "127.0.0.1", "[::1]") else "https"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.domain}"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'tandem.sqlite3').resolve()}"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def work_dir(self) -> Path:
        """Files jobs are still writing (exports before they become Drive files)."""
        return self.data_dir / "work"

    @property
    def contact(self) -> str:
        return self.contact_email or self.mail_from

    @property
    def mail_from(self) -> str:
        return self.smtp_from or f"notifications@{self.domain.split(':')[0]}"


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _coerce(name: str, hint: Any, raw: Any) -> Any:
    """Turn a TOML or environment value into the type the field declares."""
    text = raw if isinstance(raw, str) else None
    if hint is bool or hint == (bool | None):
        if isinstance(raw, bool):
            return raw
        if text is not None and text.lower() in _TRUE:
            return True
        if text is not None and text.lower() in _FALSE:
            return None if hint is not bool and text == "" else False
        raise ConfigError(f"{name} must be true or false, got {raw!r}")
    if hint is int or hint is float:
        try:
            return hint(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if hint is Path:
        return Path(raw)
    if hint == tuple[str, ...]:
        if isinstance(raw, str):
            items = tuple(p.strip().lower() for p in raw.split(",") if p.strip())
        else:
            items = tuple(str(p).strip().lower() for p in raw)
        if name == "trusted_proxies":
            _check_networks(name, items)
        return items
    if get_origin(hint) is Literal:  # a choice: registrations, federation_mode…
        allowed = get_args(hint)
        if raw not in allowed:
            raise ConfigError(f"{name} must be one of {', '.join(allowed)}, got {raw!r}")
        return raw
    if hint == dict[str, Throttle]:
        return _throttles(raw)
    if not isinstance(raw, str):
        raise ConfigError(f"{name} must be a string, got {raw!r}")
    if name == "media_url" and raw and not _MEDIA_URL.fullmatch(raw):
        raise ConfigError(f"media_url must be an http(s) URL without query, got {raw!r}")
    if name == "streaming_url" and raw and not _STREAMING_URL.fullmatch(raw):
        raise ConfigError(f"streaming_url must be a ws(s) URL without path, got {raw!r}")
    return raw


def _check_networks(name: str, items: tuple[str, ...]) -> None:
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ConfigError(f"{name}: {item!r} is not an IP address or CIDR network") from None


def _throttles(raw: Any) -> dict[str, Throttle]:
    """`{name = "limit/period"}` or `{name = {limit, period}}`; unnamed ones keep defaults."""
    table = dict(DEFAULT_THROTTLES)
    items = raw.items() if isinstance(raw, dict) else (p.split("=", 1) for p in str(raw).split(","))
    for key, value in items:
        key = key.strip()
        if key not in DEFAULT_THROTTLES:
            known = ", ".join(DEFAULT_THROTTLES)
            raise ConfigError(f"throttles.{key} is not a known throttle (known: {known})")
        try:
            if isinstance(value, Throttle):
                table[key] = value
            elif isinstance(value, dict):
                table[key] = Throttle(int(value["limit"]), int(value["period"]))
            else:
                limit, period = str(value).split("/")
                table[key] = Throttle(int(limit), int(period))
        except (KeyError, ValueError):
            raise ConfigError(f"throttles.{key} must look like 'limit/period_seconds'") from None
    return table


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Defaults < TOML file (TANDEM_CONFIG or data_dir/tandem.toml) < environment < overrides."""
    hints = get_type_hints(Settings)
    values: dict[str, Any] = {}
    path = config_file or (
        Path(os.environ["TANDEM_CONFIG"]) if "TANDEM_CONFIG" in os.environ else None
    )
    if path is None:
        data_dir = Path(os.environ.get("TANDEM_DATA_DIR", overrides.get("data_dir", "data")))
        candidate = data_dir / "tandem.toml"
        path = candidate if candidate.exists() else None
    if path is not None:
        if not path.exists():
            raise ConfigError(f"config file {path} does not exist")
        with path.open("rb") as fh:
            values.update(tomllib.load(fh))
    for f in dataclasses.fields(Settings):
        env = os.environ.get(f"TANDEM_{f.name.upper()}")
        if env is not None:
            values[f.name] = env
    values.update(overrides)
    unknown = set(values) - set(hints)
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    coerced = {k: _coerce(k, hints[k], v) for k, v in values.items()}
    if "domain" not in coerced:  # a local server is reached at the port it listens on
        coerced["domain"] = f"localhost:{coerced.get('port', Settings.port)}"
    return Settings(**coerced)


def ensure_secret_key(settings: Settings) -> Settings:
    """Use the configured key, else one persisted in the data folder (created on first start)."""
    if settings.secret_key:
        return settings
    key_file = settings.data_dir / "secret_key"
    if not key_file.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return dataclasses.replace(settings, secret_key=key_file.read_text().strip())
