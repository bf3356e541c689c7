"""One Uptake stack for a scenario: nats-server, the Redis-compatible server, the sandbox
tenant (Graph for ingest, the Teams webhook for notify) and the services, as processes.

Services get the environment the demo gives them (``shared.settings``), with a
few settings shortened so that a redelivery or a retried post comes within
seconds instead of a minute; :data:`SERVICE_SETTINGS` lists them, and the
report prints them, since they shape the measured recovery times.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from devtools import servers
from devtools.faults.processes import Child, Registry
from services.sandbox.certs import ensure_certs
from services.sandbox.settings import SandboxSettings

FLOW = "faults"
CHANNEL = "faults"

# Shortened from the defaults so that recovery is measured in seconds: an unacknowledged
# batch comes back after ack_wait, a post whose sender died is retried after the claim.
SERVICE_SETTINGS = {
    "SCORING_ACK_WAIT_SECONDS": "10",
    "NOTIFY_ACK_WAIT_SECONDS": "10",
    "NOTIFY_CLAIM_SECONDS": "5",
    "NOTIFY_POLL_SECONDS": "0.5",
    "NOTIFY_SETTLE_SECONDS": "0.5",
}
# So that every award is a card of its own, at once: no quiet hours, no daily limit,
# no burst digest, no rate limit worth speaking of, every team big enough to name.
POLITENESS_OFF = {
    "NOTIFY_QUIET_START": "00:00",
    "NOTIFY_QUIET_END": "00:00",
    "NOTIFY_QUIET_WEEKENDS": "false",
    "NOTIFY_DAILY_LIMIT": "100000000",
    "NOTIFY_BURST_THRESHOLD": "100000000",
    "NOTIFY_TEAMS_PER_SECOND": "1000",
    "NOTIFY_MIN_GROUP_SIZE": "1",
    "NOTIFY_LANGUAGE": "en",
}


@dataclass
class Ports:
    nats: int = field(default_factory=servers.free_port)
    redis: int = field(default_factory=servers.free_port)
    sandbox: int = field(default_factory=servers.free_port)
    scoring_health: int = field(default_factory=servers.free_port)
    notify_status: int = field(default_factory=servers.free_port)


@dataclass
class SandboxOptions:
    people: int = 40
    seed: int = 11
    end_date: date | None = None


class Stack:
    """The processes of one scenario, all under ``workdir``."""

    def __init__(
        self,
        workdir: Path,
        registry: Registry,
        rules_path: Path,
        database_url: str | None = None,
        sandbox: SandboxOptions | None = None,
    ) -> None:
        self.workdir = workdir
        self.registry = registry
        self.ports = Ports()
        self.rules_path = rules_path
        self.database_url = database_url or f"sqlite+aiosqlite:///{workdir / 'uptake.db'}"
        self.sandbox_options = sandbox or SandboxOptions()
        self.sandbox_dir = workdir / "sandbox"
        self.certs = ensure_certs(self.sandbox_dir, ("127.0.0.1", "localhost"))
        (workdir / "nats").mkdir(parents=True, exist_ok=True)
        (workdir / "redis").mkdir(parents=True, exist_ok=True)
        self.nats = self._child("nats", servers.nats_command(self.ports.nats, workdir / "nats"))
        self.redis = self._child(
            "redis", servers.redis_command(self.ports.redis, workdir / "redis")
        )
        self.sandbox = self._child(
            "sandbox", [sys.executable, "-m", "services.sandbox"], self._sandbox_env()
        )
        self.scoring = self._service("scoring", "services.scoring")
        self.notify = self._service("notify", "services.notify")
        self.ingest = self._service("ingest", "services.ingest", "--once")

    @property
    def nats_url(self) -> str:
        return f"nats://127.0.0.1:{self.ports.nats}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.ports.redis}/0"

    @property
    def sandbox_url(self) -> str:
        return f"https://127.0.0.1:{self.ports.sandbox}"

    def _child(self, name: str, command: list[str], env: dict[str, str] | None = None) -> Child:
        log = self.workdir / f"{name}.log"
        return Child(name, command, env or dict(os.environ), log, self.registry)

    def _service(self, name: str, module: str, *args: str) -> Child:
        return self._child(name, [sys.executable, "-m", module, *args], self.service_env())

    def _sandbox_env(self) -> dict[str, str]:
        options = self.sandbox_options
        settings = SandboxSettings(
            dir=self.sandbox_dir,
            port=self.ports.sandbox,
            people=options.people,
            seed=options.seed,
            end_date=options.end_date,
            concealed_names=False,
            cert_names=["127.0.0.1", "localhost"],
        )
        env = dict(os.environ)
        for name, value in settings.model_dump(exclude_none=True, mode="json").items():
            text = json.dumps(value) if isinstance(value, list | bool) else str(value)
            env[f"SANDBOX_{name.upper()}"] = text
        return env

    def webhook_url(self) -> str:
        return (
            f"{self.sandbox_url}/workflows/{FLOW}/triggers/manual/paths/invoke"
            "?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=faults-sig"
        )

    def service_env(self, database_url: str | None = None) -> dict[str, str]:
        """What scoring, notify and ingest read (``shared.settings``)."""
        tenant = SandboxSettings()
        channel = {
            "name": CHANNEL,
            "type": "teams",
            "url": self.webhook_url(),
            "language": "en",
            "kinds": ["badge", "level"],
        }
        env = dict(os.environ)
        env.update(
            {
                "ENVIRONMENT": "development",
                "LOG_FORMAT": "json",
                "PYTHONUNBUFFERED": "1",
                "NATS_URL": self.nats_url,
                "REDIS_URL": self.redis_url,
                "DATABASE_URL": database_url or self.database_url,
                "SCORING_RULES_PATH": str(self.rules_path),
                "SCORING_HEALTH_PORT": str(self.ports.scoring_health),
                "NOTIFY_STATUS_PORT": str(self.ports.notify_status),
                "NOTIFY_CHANNELS": json.dumps([channel]),
                "GRAPH_BASE_URL": self.sandbox_url,
                "GRAPH_AUTHORITY": f"{self.sandbox_url}/{tenant.tenant_id}",
                "GRAPH_TENANT_ID": tenant.tenant_id,
                "GRAPH_CLIENT_ID": tenant.client_id,
                "GRAPH_CLIENT_SECRET": tenant.client_secret,
                "GRAPH_CA_BUNDLE": str(self.certs.ca),
                "INGEST_STATUS_PATH": str(self.workdir / "ingest-status.json"),
                **SERVICE_SETTINGS,
                **POLITENESS_OFF,
            }
        )
        # A machine-wide CA bundle would hide the sandbox's CA from MSAL's requests.
        env.pop("REQUESTS_CA_BUNDLE", None)
        return env

    def start_infrastructure(self) -> None:
        self.start_nats()
        self.start_redis()
        self.sandbox.start()
        servers.wait_for_port(self.ports.sandbox, timeout=60)

    def start_nats(self) -> None:
        self.nats.start()
        servers.wait_for_port(self.ports.nats, timeout=30)

    def start_redis(self) -> None:
        self.redis.start()
        servers.wait_for_port(self.ports.redis, timeout=30)

    def start_services(self) -> None:
        self.scoring.start()
        self.notify.start()
