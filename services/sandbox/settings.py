"""Configuration of the sandbox tenant (``SANDBOX_*`` environment variables).

The sandbox is a development and test stand-in, never a production service, so
every secret has a fixed demo default.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEMO_TENANT_ID = "c9d0512d-d402-4cfa-becc-4407bcf48a2d"
DEMO_CLIENT_ID = "8b1f4c2e-5a7d-4e3b-9c61-2d0a7f5e9b13"
DEMO_CLIENT_SECRET = "sandbox-demo-secret"  # noqa: S105 - a public demo value
DEMO_USER_PASSWORD = "sandbox-demo-password"  # noqa: S105 - a public demo value
# ReportSettings.ReadWrite.All lets `python -m services.ingest reveal-names` work in the demo;
# a real tenant grants it only if an admin wants Uptake to change the setting.
GRAPH_APP_ROLES = (
    "Reports.Read.All",
    "ReportSettings.Read.All",
    "ReportSettings.ReadWrite.All",
    "User.Read.All",
    "AiEnterpriseInteraction.Read.All",
)


class SandboxSettings(BaseSettings):
    """services/sandbox: the simulated Microsoft 365 tenant."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_prefix="SANDBOX_")

    host: str = "127.0.0.1"
    port: int = 8443
    dir: Path = Path("var/sandbox")
    # host names in the TLS certificate and accepted as token issuers ("sandbox" for compose)
    cert_names: list[str] = Field(default_factory=lambda: ["127.0.0.1", "localhost", "sandbox"])

    seed: int = 20240601
    people: int = Field(default=300, ge=10, le=100_000)
    domain: str = "contoso.be"
    weeks: int = Field(default=8, ge=1, le=52)
    end_date: dt.date | None = None  # the data date; today (UTC) when unset
    licensed_share: float = Field(default=0.88, ge=0.0, le=1.0)

    tenant_id: str = DEMO_TENANT_ID
    client_id: str = DEMO_CLIENT_ID
    client_secret: str = DEMO_CLIENT_SECRET
    user_password: str = DEMO_USER_PASSWORD
    app_roles: list[str] = Field(default_factory=lambda: list(GRAPH_APP_ROLES))
    # Where the app may send a browser back after sign-in. As in Entra, the port of a
    # loopback address (127.0.0.1, localhost) is ignored.
    redirect_uris: list[str] = Field(
        default_factory=lambda: [
            "http://127.0.0.1/auth/callback",
            "http://localhost/auth/callback",
        ]
    )
    # Plain HTTP on this port for the page a person opens in a browser (the sign-in
    # picker), so that a browser which does not trust the sandbox CA signs in without a
    # warning. Discovery then names it as the authorization endpoint.
    browser_port: int | None = None
    token_lifetime_seconds: int = 3599

    concealed_names: bool = True
    report_redirect: bool = False
    csv_bom: bool = True
    page_size: int = Field(default=200, ge=1)
    delta_page_size: int = Field(default=200, ge=1)
    interactions_max_top: int = 1000
    download_lifetime_seconds: int = 300

    @property
    def data_date(self) -> dt.date:
        return self.end_date or dt.datetime.now(dt.UTC).date()
