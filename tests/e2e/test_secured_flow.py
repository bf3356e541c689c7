"""The whole flow as deployed: every service a process with its own NATS and Redis users.

NATS runs the deployment's configuration with TLS, Redis its ACL users (over TLS when
the machine's redis-server has it). The services get nothing but environment variables,
as in docker-compose and Kubernetes, in production mode: a report from the sandbox
tenant becomes a leaderboard, and the NATS server logs no permission violation.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from devtools.servers import free_port, wait_for_port
from services.sandbox.testing import SandboxHandle, sandbox_tenant
from tests.e2e.test_whole_flow import ROOT, _rows, poll_json, service
from tests.integration.secured import (
    SecuredNats,
    SecuredRedis,
    make_tls,
    secured_nats,
    secured_redis,
    tls_redis_server,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[SecuredNats, SecuredRedis]]:
    tls = make_tls(tmp_path / "tls")
    tls_server = tls_redis_server()
    with ExitStack() as stack:
        nats = stack.enter_context(secured_nats(tmp_path / "nats", tls))
        redis = stack.enter_context(
            secured_redis(tmp_path / "redis", tls if tls_server else None, tls_server)
        )
        yield nats, redis


@pytest.fixture
def tenant(tmp_path: Path) -> Iterator[SandboxHandle]:
    with sandbox_tenant(tmp_path, people=40, seed=5, concealed_names=False) as handle:
        yield handle


def env_for(
    name: str, nats: SecuredNats, redis: SecuredRedis, tenant: SandboxHandle, tmp_path: Path
) -> dict[str, str]:
    env = dict(os.environ) | tenant.settings_env()
    env |= {
        "ENVIRONMENT": "production",
        "PSEUDONYM_KEY": PSEUDONYM_KEY,
        "NATS_URL": nats.url,
        "NATS_USER": name,
        "NATS_PASSWORD": nats.passwords[name],
        "NATS_CA_FILE": str(nats.tls.ca),
        "REDIS_URL": redis.url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'uptake.db'}",
        "INGEST_STATUS_PATH": str(tmp_path / "ingest-status.json"),
        "INGEST_INTERACTIONS": "false",
        "LOG_FORMAT": "json",
        "PYTHONUNBUFFERED": "1",
    }
    if redis.tls is not None:
        env["REDIS_CA_FILE"] = str(redis.tls.ca)
    if name in redis.passwords:
        env |= {"REDIS_USER": name, "REDIS_PASSWORD": redis.passwords[name]}
    return env


PSEUDONYM_KEY = secrets.token_hex(32)


def test_a_report_becomes_a_leaderboard_with_every_service_as_its_own_user(
    servers: tuple[SecuredNats, SecuredRedis], tenant: SandboxHandle, tmp_path: Path
) -> None:
    nats, redis = servers
    ingest = subprocess.run(
        [sys.executable, "-m", "services.ingest", "--once"],
        cwd=ROOT,
        env=env_for("ingest", nats, redis, tenant, tmp_path),
        capture_output=True,
        timeout=180,
    )
    assert ingest.returncode == 0, ingest.stderr.decode()[-3000:]

    port = free_port()
    api_env = env_for("api", nats, redis, tenant, tmp_path) | {"API_PORT": str(port)}
    notify_env = env_for("notify", nats, redis, tenant, tmp_path) | {
        "ENGAGE_TOKEN_KEY": Fernet.generate_key().decode(),
        "TEAMS_WEBHOOK_URL": f"{tenant.graph_base_url}/workflows/x/triggers/manual/paths/"
        "invoke?api-version=2016-06-01&sig=test",
    }
    with (
        service(
            ["services.scoring"],
            env_for("scoring", nats, redis, tenant, tmp_path),
            tmp_path / "scoring.log",
        ),
        service(["services.api"], api_env, tmp_path / "api.log"),
        service(["services.notify"], notify_env, tmp_path / "notify.log"),
    ):
        wait_for_port(port, timeout=60)
        base = f"http://127.0.0.1:{port}"
        people = poll_json(
            f"{base}/api/leaderboards/people?window=all", lambda body: len(_rows(body)) > 0
        )
        ready = poll_json(f"{base}/readyz", lambda body: body.get("status") == "ready")
        assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
    assert _rows(people)
    assert ready["checks"] == {"redis": True, "sql": True, "nats": True}
    assert nats.violations() == []
    for log in ("scoring.log", "api.log", "notify.log"):
        text = (tmp_path / log).read_text()
        assert "Permissions Violation" not in text and "NOPERM" not in text, log
