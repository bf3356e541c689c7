"""Configuration from environment variables: one settings object per service.

Every service shares the infrastructure names of ``CommonSettings``; each adds
its own. Secrets never have a usable default outside development.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.languages import Language
from shared.weak_keys import (
    FERNET_KEY_COMMAND,
    PLACEHOLDER_WORDS,
    PSEUDONYM_KEY_COMMAND,
    fernet_key_problem,
    fernet_weakness,
    weakness,
)

DEV_PSEUDONYM_KEY = "uptake-development-key-change-me"


class CommonSettings(BaseSettings):
    """Infrastructure every service talks to."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    nats_url: str = "nats://127.0.0.1:4222"  # tls://... when the server requires TLS
    # This service's NATS user (deploy/nats/auth.conf grants each service its subjects).
    nats_user: str | None = None
    nats_password: SecretStr | None = None
    nats_ca_file: Path | None = None  # CA of the server's certificate; turns TLS on
    # Replicas of each JetStream stream: 1 for one server, 3 for a production cluster.
    nats_stream_replicas: int = Field(default=1, ge=1, le=5)
    redis_url: str = "redis://127.0.0.1:6379/0"  # rediss://... for TLS
    # This service's Redis ACL user (deploy/redis/users.acl lists its commands and keys).
    redis_user: str | None = None
    redis_password: SecretStr | None = None
    redis_ca_file: Path | None = None  # CA of the server's certificate; turns TLS on
    database_url: str = "sqlite+aiosqlite:///./var/uptake.db"
    org_timezone: str = "Europe/Brussels"
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "json"
    pseudonym_key: SecretStr = SecretStr(DEV_PSEUDONYM_KEY)
    # Ingest writes its status here (a JetStream KV bucket); the gateway reads it.
    ingest_status_bucket: str = "uptake_status"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.org_timezone)

    @model_validator(mode="after")
    def _refuse_weak_secrets(self) -> CommonSettings:
        if self.environment == "production":
            why = weakness(self.pseudonym_key.get_secret_value())
            if why is not None:
                raise ValueError(
                    f"PSEUDONYM_KEY is refused in production: {why}. "
                    f"Generate one with `{PSEUDONYM_KEY_COMMAND}` and keep it secret"
                )
        for name, path in (
            ("NATS_CA_FILE", self.nats_ca_file),
            ("REDIS_CA_FILE", self.redis_ca_file),
        ):
            if path is not None and not path.is_file():
                raise ValueError(f"{name} {path} is not a readable file")
        if (self.nats_user is None) != (self.nats_password is None):
            raise ValueError("NATS_USER and NATS_PASSWORD go together")
        if self.redis_user is not None and self.redis_password is None:
            raise ValueError("REDIS_USER needs REDIS_PASSWORD")
        ZoneInfo(self.org_timezone)  # fail early on an unknown zone
        return self


class GraphSettings(BaseSettings):
    """Where and how to reach Microsoft Graph (or the sandbox tenant)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_prefix="GRAPH_")

    base_url: str = "https://graph.microsoft.com"
    tenant_id: str = "common"
    authority: str | None = None
    client_id: str = ""
    client_secret: SecretStr | None = None
    certificate_path: Path | None = None
    certificate_thumbprint: str | None = None
    ca_bundle: Path | None = None
    scope: str = "https://graph.microsoft.com/.default"
    timeout_seconds: float = 60.0
    max_attempts: int = 6
    backoff_base_seconds: float = 0.5
    backoff_max_seconds: float = 60.0
    # Microsoft_365_Copilot; a user holding one of these SKUs is a licensed person.
    copilot_sku_ids: list[str] = ["639dec6b-bb19-468b-871c-c5c441c4b0cb"]

    @property
    def authority_url(self) -> str:
        return (self.authority or f"https://login.microsoftonline.com/{self.tenant_id}").rstrip("/")


class IngestSettings(CommonSettings):
    """services/ingest."""

    graph: GraphSettings = Field(default_factory=GraphSettings)
    ingest_report_period: Literal["D7", "D28", "D30", "D90", "D180", "ALL"] = "D7"
    ingest_report_format: Literal["csv", "json"] = "csv"
    ingest_report_version: Literal["v1", "v2"] = "v1"
    ingest_interval_seconds: float = 3600.0
    ingest_interactions: bool = True
    ingest_interaction_backfill_days: int = 28
    ingest_interaction_concurrency: int = 16  # Graph requests in flight
    # people per Graph JSON batch ($batch allows 20); 1 reads person by person
    ingest_interaction_batch_size: int = Field(default=20, ge=1, le=20)
    ingest_directory: bool = True
    ingest_publish_in_flight: int = 4000
    ingest_status_path: Path | None = Path("var/ingest-status.json")
    ingest_health_host: str = "127.0.0.1"
    ingest_health_port: int | None = None  # serves /healthz and /readyz when set


class ScoringSettings(CommonSettings):
    """services/scoring."""

    scoring_rules_path: Path | None = None  # rules published when none are (default.yaml)
    scoring_durable: str = "scoring"
    scoring_batch_size: int = 1000  # messages per fetch at most
    scoring_batch_events: int = Field(default=5000, ge=1)  # events per ledger transaction
    # while a backlog lasts: boards and acknowledgements at least this often...
    scoring_flush_seconds: float = Field(default=0.25, ge=0)
    scoring_flush_events: int = Field(default=10_000, ge=1)  # ... or after this many events
    scoring_max_deliver: int = 5
    scoring_ack_wait_seconds: float = 60.0
    scoring_max_ack_pending: int = 20_000
    scoring_fetch_timeout_seconds: float = 1.0
    scoring_announce_points: bool = True  # awards.points per scoring signal; off for huge loads
    # concurrent ledger transactions per batch, split by person; unset: 2 on PostgreSQL,
    # and always 1 on SQLite, which writes one transaction at a time
    scoring_lanes: int | None = Field(default=None, ge=1, le=8)
    scoring_health_port: int | None = None  # /healthz and /readyz when set
    scoring_startup_timeout_seconds: float = 60.0
    # how often the adoption-insight cube takes in what changed (nothing changed: no work)
    insights_refresh_seconds: float = Field(default=60.0, gt=0)


class NotifySettings(CommonSettings):
    """services/notify: where shout-outs go, how politely, and how Engage signs in."""

    graph: GraphSettings = Field(default_factory=GraphSettings)
    teams_webhook_url: SecretStr | None = None
    engage_base_url: str = "https://www.yammer.com/api/v1"
    engage_group_id: str | None = None
    engage_client_id: str | None = None  # public client for the device-code sign-in
    engage_scopes: list[str] = ["https://api.yammer.com/.default"]
    engage_token_cache: Path = Path("var/engage-token-cache.bin")
    engage_token_key: SecretStr | None = None  # Fernet key; the cache is encrypted at rest
    engage_messages_per_window: int = 10
    engage_window_seconds: float = 30.0
    # Channels: NOTIFY_CHANNELS (JSON list) or NOTIFY_CHANNELS_FILE (YAML/JSON); else one
    # Teams channel from TEAMS_WEBHOOK_URL and one Engage community from ENGAGE_GROUP_ID.
    notify_channels: SecretStr | None = None  # JSON; Teams URLs in it carry a sig= secret
    notify_channels_file: Path | None = None
    notify_language: Language = "nl"  # nl, en or fr
    notify_app_url: str | None = None
    notify_quiet_start: str = "19:00"
    notify_quiet_end: str = "08:30"
    notify_quiet_weekends: bool = True
    notify_holidays_country: str | None = None  # e.g. BE or NL: public holidays are quiet too
    notify_daily_limit: int = 25
    notify_burst_threshold: int = 8
    notify_settle_seconds: float = 3.0
    # A digest stays open this long for more cards: at most one per channel per window.
    notify_fold_seconds: float = Field(default=300.0, gt=0)
    notify_digest_weekday: int = 0  # Monday
    notify_digest_hour: int = 9
    # Teams below this size are never mentioned; MIN_GROUP_SIZE when only that is set.
    notify_min_group_size: int = Field(
        default=5, validation_alias=AliasChoices("notify_min_group_size", "min_group_size")
    )
    notify_teams_per_second: float = 4.0
    notify_max_attempts: int = 8
    notify_poll_seconds: float = 1.0
    notify_batch_size: int = 100
    notify_max_deliver: int = 5
    notify_ack_wait_seconds: float = 30.0
    notify_max_ack_pending: int = 1000
    notify_http_timeout_seconds: float = 10.0
    notify_status_port: int | None = None  # /healthz, /readyz, /metrics and /status when set
    notify_claim_seconds: float = 60.0  # a crashed send is retried after this

    @model_validator(mode="after")
    def _refuse_weak_token_key(self) -> NotifySettings:
        if self.engage_token_key is None:
            return self  # required in production once Engage signs in (engage_auth.cache_key)
        key = self.engage_token_key.get_secret_value()
        why = fernet_key_problem(key)
        if why is None and self.environment == "production":
            why = fernet_weakness(key)
        if why is not None:
            raise ValueError(
                f"ENGAGE_TOKEN_KEY must be a secret Fernet key: {why}. "
                f"Generate one with `{FERNET_KEY_COMMAND}`"
            )
        return self


class ApiSettings(CommonSettings):
    """services/api: the gateway, the office screen and its authentication."""

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    min_group_size: int = 5
    board_size: int = 10
    api_max_board_size: int = 100
    api_board_cache_seconds: float = 1.0
    api_directory_ttl_seconds: float = 10.0
    api_max_body_bytes: int = 64 * 1024
    # Open /api/live streams per process; past it a screen gets 503 and tries again later.
    api_live_max_streams: int = Field(default=1000, ge=1)
    # Rule previews and publishes replay at most this many stored signals at a time.
    api_replay_max_signals: int = Field(default=100_000, ge=1000)
    # Boards and the screen answer without a token unless a display token is required.
    api_public_boards: bool = True
    api_screen_window: Literal["day", "week", "month", "all"] = "month"
    api_screen_rotate_seconds: float = 15.0
    api_default_lang: Language = "nl"  # nl, en or fr: screens and pages without ?lang=
    # Entra ID: issuer, audience and the published keys of the tenant.
    api_auth_issuer: str | None = None
    api_auth_audience: str | None = None
    api_auth_jwks_uri: str | None = None
    api_auth_ca_bundle: Path | None = None
    api_auth_jwks_ttl_seconds: float = 3600.0
    api_auth_leeway_seconds: float = 60.0
    # Adoption insights: minutes of work one Copilot action is assumed to save.
    api_minutes_saved_per_action: float = 6.0
    # Community: kudos a person may give per calendar month (unused ones do not roll
    # over) and how fast; wrong claim codes a person may try per hour; how often the
    # gateway looks for the usage that confirms "I tried this".
    api_kudos_per_month: int = Field(default=5, ge=0, le=100)
    api_kudos_per_minute: int = Field(default=3, ge=1, le=100)
    api_kudos_per_day: int = Field(default=10, ge=1, le=1000)
    api_claim_guesses_per_hour: int = Field(default=10, ge=1, le=1000)
    api_usecase_sweep_seconds: float = Field(default=600.0, ge=1.0)
    # Champions: the address people open the gateway at, for check-in QR codes (the
    # request's own address when unset, which a proxy may hide), and how many tips one
    # department's channel may receive per day.
    api_public_url: str | None = Field(default=None, pattern=r"^https?://[^\s?#]+$")
    api_champion_tips_per_day: int = Field(default=3, ge=1, le=50)
    # Sign-in of browsers (OpenID Connect, authorization code with PKCE) to /me and
    # /admin, on when API_AUTH_CLIENT_ID and API_AUTH_ISSUER are set: the app
    # registration's client id and secret, the tenant's authority (derived from
    # API_AUTH_ISSUER when unset), the session's absolute lifetime, and
    # SameSite=None; Partitioned cookies ("none") for a gateway framed by Teams. The
    # redirect URI is API_PUBLIC_URL + /auth/callback (required in production).
    api_auth_client_id: str | None = None
    api_auth_client_secret: SecretStr | None = None
    api_auth_authority: str | None = Field(default=None, pattern=r"^https?://[^\s?#]+$")
    api_session_hours: float = Field(default=8.0, gt=0, le=24 * 30)
    api_session_same_site: Literal["lax", "none"] = "lax"

    @property
    def signin_configured(self) -> bool:
        return bool(self.api_auth_client_id and self.api_auth_issuer)

    @property
    def signin_authority(self) -> str | None:
        """The tenant's authority MSAL signs in with: set, or the issuer without /v2.0."""
        if self.api_auth_authority:
            return self.api_auth_authority.rstrip("/")
        if self.api_auth_issuer:
            return self.api_auth_issuer.rstrip("/").removesuffix("/v2.0")
        return None

    @model_validator(mode="after")
    def _refuse_open_signin(self) -> ApiSettings:
        if self.api_auth_client_id and not self.api_auth_issuer:
            raise ValueError("API_AUTH_CLIENT_ID needs API_AUTH_ISSUER to check id tokens")
        if self.environment != "production" or not self.signin_configured:
            return self
        secret = self.api_auth_client_secret
        if secret is None or not secret.get_secret_value().strip():
            raise ValueError(
                "API_AUTH_CLIENT_SECRET is required in production when API_AUTH_CLIENT_ID "
                "is set: add a client secret to the app registration (Certificates & secrets)"
            )
        if any(word in secret.get_secret_value().lower() for word in PLACEHOLDER_WORDS):
            raise ValueError("API_AUTH_CLIENT_SECRET is refused in production: it is a placeholder")
        if not self.api_public_url or not self.api_public_url.startswith("https://"):
            raise ValueError(
                "API_PUBLIC_URL (https://...) is required in production when sign-in is "
                "configured: the redirect URI is API_PUBLIC_URL/auth/callback"
            )
        return self
