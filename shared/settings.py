"""Configuration from environment variables: one settings object per service.

Every service shares the infrastructure names of ``CommonSettings``; each adds
its own. Secrets never have a usable default outside development.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_PSEUDONYM_KEY = "uptake-development-key-change-me"


class CommonSettings(BaseSettings):
    """Infrastructure every service talks to."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    nats_url: str = "nats://127.0.0.1:4222"
    redis_url: str = "redis://127.0.0.1:6379/0"
    database_url: str = "sqlite+aiosqlite:///./var/uptake.db"
    org_timezone: str = "Europe/Brussels"
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "json"
    pseudonym_key: SecretStr = SecretStr(DEV_PSEUDONYM_KEY)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.org_timezone)

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> CommonSettings:
        if (
            self.environment == "production"
            and self.pseudonym_key.get_secret_value() == DEV_PSEUDONYM_KEY
        ):
            raise ValueError("PSEUDONYM_KEY must be set to a secret value in production")
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

    @property
    def authority_url(self) -> str:
        return self.authority or f"https://login.microsoftonline.com/{self.tenant_id}"


class IngestSettings(CommonSettings):
    """services/ingest."""

    graph: GraphSettings = Field(default_factory=GraphSettings)
    ingest_report_period: Literal["D7", "D30", "D90", "D180", "ALL"] = "D7"
    ingest_interval_seconds: float = 3600.0
    ingest_interactions: bool = True
    ingest_directory: bool = True


class ScoringSettings(CommonSettings):
    """services/scoring."""

    scoring_rules_path: Path | None = None
    scoring_batch_size: int = 500
    scoring_max_deliver: int = 5


class NotifySettings(CommonSettings):
    """services/notify."""

    teams_webhook_url: SecretStr | None = None
    engage_base_url: str = "https://www.yammer.com/api/v1"
    engage_group_id: str | None = None


class ApiSettings(CommonSettings):
    """services/api."""

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    min_group_size: int = 5
    board_size: int = 10
