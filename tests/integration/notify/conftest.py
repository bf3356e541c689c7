"""A real HTTP sandbox (the messaging router under uvicorn) and notify settings pointing at it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from devtools.servers import free_port
from services.sandbox.messaging import router
from shared.settings import NotifySettings

FLOW = "f0a1"
SIG = "s3cr3t-signature"


@pytest.fixture(scope="session")
def sandbox_url() -> Iterator[str]:
    app = FastAPI()
    app.include_router(router)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "sandbox did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


class Sandbox:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.AsyncClient(base_url=url, timeout=10)

    @property
    def webhook(self) -> str:
        return (
            f"{self.url}/workflows/{FLOW}/triggers/manual/paths/invoke"
            f"?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={SIG}"
        )

    def webhook_for(self, flow: str) -> str:
        return self.webhook.replace(FLOW, flow)

    async def posts(self) -> list[dict[str, Any]]:
        return (await self.http.get("/sandbox/posts.json")).json()  # type: ignore[no-any-return]

    async def state(self) -> dict[str, Any]:
        return (await self.http.get("/sandbox/messaging/state")).json()  # type: ignore[no-any-return]

    async def fault(self, **fault: Any) -> None:
        (await self.http.post("/sandbox/messaging/faults", json=fault)).raise_for_status()

    async def release(self) -> None:
        (await self.http.post("/sandbox/messaging/release")).raise_for_status()


@pytest.fixture
async def sandbox(sandbox_url: str) -> Any:
    box = Sandbox(sandbox_url)
    await box.http.delete("/sandbox/posts")
    yield box
    await box.release()
    await box.http.aclose()


async def eventually(
    check: Callable[[], Awaitable[bool]], timeout: float = 30.0, every: float = 0.1
) -> None:
    """Wait until ``check`` holds (a liveness bound, not a performance assertion)."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(every)


@pytest.fixture
def notify_settings(
    nats_url: str, database_url: str, sandbox: Sandbox, tmp_path: Any
) -> Callable[..., NotifySettings]:
    def make(**overrides: Any) -> NotifySettings:
        values: dict[str, Any] = {
            "environment": "test",
            "nats_url": nats_url,
            "database_url": database_url,
            "teams_webhook_url": sandbox.webhook,
            "notify_language": "en",
            "notify_quiet_start": "00:00",
            "notify_quiet_end": "00:00",
            "notify_quiet_weekends": False,
            "notify_settle_seconds": 0.0,
            "notify_poll_seconds": 0.1,
            "notify_burst_threshold": 100,
            "notify_daily_limit": 1000,
            "engage_token_cache": tmp_path / "engage.bin",
        }
        values.update(overrides)
        return NotifySettings(**values)

    return make
