"""The whole flow as it runs in production, one process per service.

Sandbox tenant (HTTPS, Entra token, Copilot usage report) -> ``python -m
services.ingest --once`` -> JetStream -> ``python -m services.scoring`` ->
SQL ledger + Redis boards -> ``python -m services.api`` -> HTTP leaderboard.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from devtools.servers import free_port, wait_for_port
from services.sandbox.testing import SandboxHandle, sandbox_tenant

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


@pytest.fixture
def tenant(tmp_path: Path) -> Iterator[SandboxHandle]:
    with sandbox_tenant(tmp_path, people=120, seed=11, concealed_names=False) as handle:
        yield handle


@pytest.fixture
def service_env(
    tenant: SandboxHandle, nats_url: str, redis_url: str, tmp_path: Path
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(tenant.settings_env())
    env.update(
        {
            "NATS_URL": nats_url,
            "REDIS_URL": redis_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'uptake.db'}",
            "INGEST_STATUS_PATH": str(tmp_path / "ingest-status.json"),
            "INGEST_INTERACTIONS": "false",
            "LOG_FORMAT": "json",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@contextmanager
def service(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def poll_json(url: str, ready: Any, timeout: float = 90.0) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            response = httpx.get(url, timeout=5)
            last = response.json() if response.status_code == 200 else response.status_code
            if response.status_code == 200 and ready(last):
                return last
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} never became ready; last answer: {last!r}")


async def test_a_copilot_report_becomes_a_leaderboard(
    service_env: dict[str, str], tmp_path: Path, nc: Any
) -> None:
    ingest = subprocess.run(
        [sys.executable, "-m", "services.ingest", "--once"],
        cwd=ROOT,
        env=service_env,
        capture_output=True,
        timeout=180,
    )
    assert ingest.returncode == 0, ingest.stderr.decode()[-3000:]
    js = nc.jetstream()
    published = (await js.stream_info("SIGNALS")).state.messages
    assert published > 0

    port = free_port()
    api_env = service_env | {"API_PORT": str(port)}
    with (
        service(["services.scoring"], service_env, tmp_path / "scoring.log"),
        service(["services.api"], api_env, tmp_path / "api.log"),
    ):
        wait_for_port(port, timeout=60)
        base = f"http://127.0.0.1:{port}"
        people = poll_json(
            f"{base}/api/leaderboards/people?window=all", lambda body: len(_rows(body)) > 0
        )
        teams = poll_json(
            f"{base}/api/leaderboards/teams?window=all", lambda body: len(_rows(body)) > 0
        )
        screen = httpx.get(f"{base}/screen", timeout=10)

    people_rows = _rows(people)
    values = [_value(row) for row in people_rows]
    assert values == sorted(values, reverse=True)
    assert all(value > 0 for value in values)
    assert len(_rows(teams)) > 0
    assert screen.status_code == 200
    assert "text/html" in screen.headers["content-type"]

    # A second ingest run publishes nothing new: the report was already taken in.
    again = subprocess.run(
        [sys.executable, "-m", "services.ingest", "--once"],
        cwd=ROOT,
        env=service_env,
        capture_output=True,
        timeout=180,
    )
    assert again.returncode == 0, again.stderr.decode()[-3000:]
    assert (await js.stream_info("SIGNALS")).state.messages == published


def _rows(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, list):
        return body
    for key in ("entries", "rows", "items", "standings", "board"):
        if isinstance(body.get(key), list):
            return list(body[key])
    raise AssertionError(f"no rows in {body!r}")


def _value(row: dict[str, Any]) -> float:
    for key in ("points", "value", "score", "points_per_member"):
        if key in row:
            return float(row[key])
    raise AssertionError(f"no value in {row!r}")
