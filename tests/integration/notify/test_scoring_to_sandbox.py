"""The real chain: sandbox report -> ingest -> scoring -> notify -> the sandbox's Teams channel."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.sandbox.testing import SandboxHandle, sandbox_tenant

pytestmark = pytest.mark.e2e


@pytest.fixture
def tenant(tmp_path: Path) -> Iterator[SandboxHandle]:
    with sandbox_tenant(tmp_path, people=60, seed=5, concealed_names=False) as handle:
        yield handle


def start(module: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", module], env=env, stdout=out, stderr=out)


def stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


async def test_scored_awards_arrive_as_a_few_polite_cards_on_the_sandbox(
    tenant: SandboxHandle, nc: Any, nats_url: str, redis_url: str, tmp_path: Path
) -> None:
    webhook = f"{tenant.graph_base_url}/workflows/e2e/triggers/manual/paths/invoke"
    env = (
        os.environ
        | tenant.settings_env()
        | {
            "NATS_URL": nats_url,
            "REDIS_URL": redis_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'uptake.db'}",
            "INGEST_STATUS_PATH": str(tmp_path / "ingest-status.json"),
            "INGEST_INTERACTIONS": "false",
            "TEAMS_WEBHOOK_URL": f"{webhook}?api-version=2016-06-01&sig=e2e-signature",
            "NOTIFY_QUIET_START": "00:00",
            "NOTIFY_QUIET_END": "00:00",
            "NOTIFY_QUIET_WEEKENDS": "false",
            "LOG_FORMAT": "json",
        }
    )
    ingest = subprocess.run(
        [sys.executable, "-m", "services.ingest", "--once"],
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert ingest.returncode == 0, ingest.stderr.decode()[-2000:]
    with httpx.Client(verify=tenant.ssl_context(), timeout=10) as http:
        http.delete(f"{tenant.graph_base_url}/sandbox/posts").raise_for_status()

    def ours(http: httpx.Client) -> list[dict[str, Any]]:
        found = http.get(f"{tenant.graph_base_url}/sandbox/posts.json").json()
        return [p for p in found if p["channel"] == "e2e"]

    scoring = start("services.scoring", env, tmp_path / "scoring.log")
    notify = start("services.notify", env, tmp_path / "notify.log")
    posts: list[dict[str, Any]] = []
    try:
        deadline = time.monotonic() + 240
        with httpx.Client(verify=tenant.ssl_context(), timeout=10) as http:
            while time.monotonic() < deadline and not posts:
                posts = ours(http)
                time.sleep(1)
            awards = (await nc.jetstream().stream_info("AWARDS")).state.messages
            time.sleep(5)  # let a few more rounds pass: the burst must stay one card
            posts = ours(http)
    finally:
        assert stop(notify) == 0
        stop(scoring)
    log = (tmp_path / "notify.log").read_text()
    assert posts, log[-3000:]
    assert awards > len(posts)
    assert len(posts) <= 10  # a backfill of many awards is folded, never one card each
    assert all(p["card"]["version"] == "1.5" for p in posts)
    assert all(p["card"]["lang"] == "nl" for p in posts)  # the default NOTIFY_LANGUAGE
    assert "e2e-signature" not in log
