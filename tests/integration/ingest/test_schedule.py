"""The service mode: first cycle at once, readiness, waiting for the bus, clean stops."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
import pytest

from devtools.servers import free_port
from services.ingest import bootstrap
from tests.integration.ingest.conftest import make_settings
from tests.integration.ingest.tenant import CLIENT_ID, SECRET, FakeTenant

CSV = (
    "Report Refresh Date,User Principal Name,Word Copilot Last Activity Date\n"
    "2026-07-03,a@c.be,2026-07-02\n"
)


async def poll_ready(url: str, want: int) -> dict[str, object]:
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            try:
                response = await client.get(url)
                if response.status_code == want:
                    return dict(response.json())
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError(f"{url} never answered {want}")


async def test_first_cycle_runs_at_once_and_readiness_follows(
    tenant: FakeTenant, nats_url: str, tmp_path: Path
) -> None:
    tenant.report_csv = CSV
    port = free_port()
    settings = make_settings(
        tenant, nats_url, tmp_path, ingest_health_port=port, ingest_interval_seconds=3600
    )
    stop = asyncio.Event()
    service = asyncio.create_task(bootstrap.run_forever(settings, stop))
    body = await poll_ready(f"http://127.0.0.1:{port}/readyz", 200)
    assert body["ready"] is True and body["last_success"]
    stop.set()
    await asyncio.wait_for(service, timeout=30)


async def test_waits_for_an_unreachable_bus_and_stops_cleanly(
    tenant: FakeTenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bootstrap, "BUS_CONNECT_TIMEOUT", 0.3)
    port = free_port()
    settings = make_settings(
        tenant, f"nats://127.0.0.1:{free_port()}", tmp_path, ingest_health_port=port
    )
    stop = asyncio.Event()
    service = asyncio.create_task(bootstrap.run_forever(settings, stop))
    body = await poll_ready(f"http://127.0.0.1:{port}/readyz", 503)
    for _ in range(100):
        if body.get("state") == "waiting":
            break
        await asyncio.sleep(0.05)
        body = await poll_ready(f"http://127.0.0.1:{port}/readyz", 503)
    assert body["state"] == "waiting" and "not reachable" in str(body["last_error"])
    stop.set()
    await asyncio.wait_for(service, timeout=30)


def test_sigterm_stops_the_service_with_exit_code_zero(
    tenant: FakeTenant, nats_url: str, tmp_path: Path
) -> None:
    tenant.report_csv = CSV
    status = tmp_path / "status.json"
    env = {
        **os.environ,
        "NATS_URL": nats_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'ingest.db'}",
        "INGEST_STATUS_PATH": str(status),
        "INGEST_INTERACTIONS": "false",
        "GRAPH_BASE_URL": tenant.base_url,
        "GRAPH_AUTHORITY": tenant.authority,
        "GRAPH_CLIENT_ID": CLIENT_ID,
        "GRAPH_CLIENT_SECRET": SECRET,
        "GRAPH_CA_BUNDLE": str(tenant.ca_path),
    }
    with (tmp_path / "ingest.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.ingest"],
            env=env,
            cwd=Path(__file__).parents[3],
            stderr=log,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if status.exists() and orjson.loads(status.read_bytes()).get("ready"):
                break
            time.sleep(0.1)
        assert orjson.loads(status.read_bytes())["ready"] is True
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
